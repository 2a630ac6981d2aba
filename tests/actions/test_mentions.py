"""Rasa entities become the parser's plain mentions on the actions side."""

from __future__ import annotations

from actions.mentions import facts_from_message, mention_from_entity, mentions_from_entities
from img_strategy.parsing import Label, Mention


def test_an_entity_becomes_a_mention_with_its_span():
    entity = {"entity": "score", "value": "228", "start": 3, "end": 6, "extractor": "x"}
    assert mention_from_entity(entity) == Mention(Label.SCORE, "228", 3, 6)


def test_entities_the_parser_does_not_use_are_dropped():
    entities = [
        {"entity": "other_number", "value": "100", "start": 0, "end": 3},
        {"value": "no label"},
        {"entity": "exam", "value": "CK", "start": "x", "end": 2},
        "not a dict",
        {"entity": "exam", "value": "CK", "start": 4, "end": 6},
    ]
    assert mentions_from_entities(entities) == [Mention(Label.EXAM, "CK", 4, 6)]
    assert mentions_from_entities(None) == []


def test_a_latest_message_is_read_with_its_entities():
    text = "CK 228"
    message = {
        "text": text,
        "entities": [
            {"entity": "exam", "value": "CK", "start": 0, "end": 2},
            {"entity": "score", "value": "228", "start": 3, "end": 6},
        ],
    }
    assert facts_from_message(message).changes["step2_score"] == 228
