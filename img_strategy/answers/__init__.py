"""The answers, one module per question family; each function answers one question.

- ``outlook``: how realistic a goal is (chances, target score, realistic specialties, programs).
- ``exams``: the exams themselves (postponing, CK timing, preparation, retakes, recovery, Step 3).
- ``application``: the rest of the application (visa, graduation year, USCE and letters,
  signaling, personal statement, Match statistics).

Each takes an :class:`~img_strategy.answers.shared.AnswerContext` and picks statements from
the rule tables through its builder; none writes prose.
"""
