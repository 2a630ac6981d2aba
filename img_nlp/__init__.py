"""The project's own spaCy pipeline: blank English plus an EntityRuler (see ``build``).

No pretrained English model can be installed here, and none is needed: entities in this
domain (specialties, visas, exams, scores, attempts, years, durations) are a closed vocabulary
plus number shapes, which patterns capture exactly and reproducibly.
"""
