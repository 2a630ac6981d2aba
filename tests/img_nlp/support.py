"""Reading a whole message the way the bot does: the project's spaCy pipeline finds the
mentions, the one parser turns them into profile changes."""

from __future__ import annotations

from spacy.language import Language

from img_strategy import Field
from img_strategy.parsing import Label, Mention, ParsedFacts, facts_from_mentions
from tests.img_strategy.support import TODAY


def mentions(nlp: Language, text: str) -> list[Mention]:
    return [
        Mention(Label(e.label_), e.text, e.start_char, e.end_char)
        for e in nlp(text).ents
        if e.label_ in {label.value for label in Label}
    ]


def read(nlp: Language, text: str, expected: Field | None = None) -> ParsedFacts:
    return facts_from_mentions(text, mentions(nlp, text), today=TODAY, expected=expected)
