"""Rasa's entity dicts to the strategy parser's plain mentions.

The strategy package knows nothing of Rasa's data shapes: this module is where an NLU
entity (``{"entity": "score", "value": "228", "start": 3, "end": 6}``) becomes a
:class:`~img_strategy.parsing.Mention`, and where a whole latest message is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from actions.slots import today
from img_strategy import Field
from img_strategy.asked import Asked
from img_strategy.parsing import (
    Label,
    Mention,
    ParsedFacts,
    asked_from_mentions,
    facts_from_mentions,
)


def mention_from_entity(entity: Mapping[str, Any]) -> Mention | None:
    """One entity as a mention; ``None`` for labels the parser does not use or for an
    entity without a usable span."""
    try:
        label = Label(entity["entity"])
        start, end = int(entity.get("start", 0)), int(entity.get("end", 0))
    except (KeyError, TypeError, ValueError):
        return None
    text = str(entity.get("text") or entity.get("value") or "")
    return Mention(label, text, start, end)


def mentions_from_entities(entities: Iterable[Mapping[str, Any]] | None) -> list[Mention]:
    return [m for e in entities or () if isinstance(e, Mapping) and (m := mention_from_entity(e))]


def facts_from_message(message: Mapping[str, Any], *, expected: Field | None = None) -> ParsedFacts:
    """The profile facts of one Rasa ``latest_message`` (text plus its entities)."""
    return facts_from_mentions(
        str(message.get("text") or ""),
        mentions_from_entities(message.get("entities")),
        today=today(),
        expected=expected,
    )


def asked_from_message(message: Mapping[str, Any]) -> Asked:
    """What a question in the latest message names beyond profile facts."""
    text = str(message.get("text") or "")
    return asked_from_mentions(text, mentions_from_entities(message.get("entities")))
