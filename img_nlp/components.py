"""Context rules the EntityRuler cannot express.

Lowercase "im" is either Internal Medicine or "I'm". It is tagged as the specialty only
where a specialty fits: after words like "in", "for", "match", or before "programs",
"residency", "?". Registered with spaCy through the ``spacy_factories`` entry point in
pyproject.toml, so ``spacy.load`` (and Rasa's SpacyNLP) finds it without an import.
"""

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

_BEFORE = frozenset(
    {
        "in",
        "for",
        "match",
        "matching",
        "into",
        "apply",
        "applying",
        "to",
        "of",
        "categorical",
        "prelim",
        "or",
        "/",
        "peds",
        "fm",
        "psych",
        "neuro",
        "vs",
        "like",
        "target",
    }
)
_AFTER = frozenset(
    {
        "programs",
        "program",
        "residency",
        "residencies",
        "spots",
        "positions",
        "?",
        "with",
        "match",
        "chances",
        "applicants",
        "or",
        "and",
        "vs",
        "/",
        "prelim",
        "categorical",
    }
)


_LIST = frozenset({",", ";", ".", "?", "!"})


def _im_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges spelling lowercase "im": spaCy's English tokenizer splits it into
    "i" + "m" (its "I'm" exception), so both forms are looked for."""
    found = []
    for token in doc:
        if token.text in ("im", "Im"):
            found.append((token.i, token.i + 1))
        elif (
            token.lower_ == "i"
            and token.i + 1 < len(doc)
            and not token.whitespace_
            and doc[token.i + 1].lower_ == "m"
        ):
            found.append((token.i, token.i + 2))
    return found


class ContextualSpecialty:
    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.ents)
        taken = {t.i for ent in spans for t in ent}
        for start, end in _im_spans(doc):
            if start in taken:
                continue
            before = doc[start - 1].lower_ if start > 0 else None
            after = doc[end].lower_ if end < len(doc) else "?"
            # An item of a comma list of facts: "s1 pass ck 241, im, j1".
            listed = before in _LIST and after in _LIST
            if before in _BEFORE or after in _AFTER or listed:
                spans.append(Span(doc, start, end, label="specialty"))
        doc.ents = filter_spans(spans)
        return doc


@Language.factory("img_contextual_specialty")
def make_contextual_specialty(nlp: Language, name: str) -> ContextualSpecialty:
    return ContextualSpecialty()
