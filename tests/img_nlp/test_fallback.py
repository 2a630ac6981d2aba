"""The fallback with per-intent thresholds: a guessed "start over" is an unclear message."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from img_nlp.fallback import GuardedFallbackClassifier


@pytest.fixture
def guard() -> GuardedFallbackClassifier:
    config = {
        **GuardedFallbackClassifier.get_default_config(),
        "threshold": 0.3,
        "ambiguity_threshold": 0.05,
        "intent_thresholds": {"start_over": 0.8},
    }
    context = ExecutionContext(GraphSchema({}), node_name="fallback")
    return GuardedFallbackClassifier.create(config, None, None, context)  # type: ignore[arg-type]


def _classified(intent: str, confidence: float, runner_up: float = 0.1) -> Message:
    ranking = [
        {"name": intent, "confidence": confidence},
        {"name": "inform", "confidence": runner_up},
    ]
    return Message(data={TEXT: "...", INTENT: dict(ranking[0]), "intent_ranking": ranking})


def test_a_guessed_start_over_becomes_a_fallback(guard: GuardedFallbackClassifier) -> None:
    message = _classified("start_over", 0.43)
    guard.process([message])
    assert message.get(INTENT)["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[1]["name"] == "start_over"  # kept for the record


def test_a_clear_start_over_stands(guard: GuardedFallbackClassifier) -> None:
    message = _classified("start_over", 0.97)
    guard.process([message])
    assert message.get(INTENT)["name"] == "start_over"


def test_other_intents_keep_the_general_threshold(guard: GuardedFallbackClassifier) -> None:
    kept, dropped = _classified("ask_visa", 0.43), _classified("ask_visa", 0.25)
    guard.process([kept, dropped])
    assert kept.get(INTENT)["name"] == "ask_visa"
    assert dropped.get(INTENT)["name"] == "nlu_fallback"


def test_ambiguity_still_falls_back(guard: GuardedFallbackClassifier) -> None:
    message = _classified("ask_visa", 0.45, runner_up=0.43)
    guard.process([message])
    assert message.get(INTENT)["name"] == "nlu_fallback"


def test_a_line_torn_between_two_questions_asks_the_first(
    guard: GuardedFallbackClassifier,
) -> None:
    ranking = [
        {"name": "ask_compare", "confidence": 0.46},
        {"name": "ask_chances+ask_visa", "confidence": 0.44},
    ]
    message = Message(data={TEXT: "...", INTENT: dict(ranking[0]), "intent_ranking": ranking})
    guard.process([message])
    assert message.get(INTENT)["name"] == "ask_compare"
    # between a question and a fact, or two questions too unsure, it still falls back
    unsure = Message(
        data={
            TEXT: "...",
            INTENT: {"name": "ask_compare", "confidence": 0.25},
            "intent_ranking": [
                {"name": "ask_compare", "confidence": 0.25},
                {"name": "ask_chances", "confidence": 0.24},
            ],
        }
    )
    guard.process([unsure])
    assert unsure.get(INTENT)["name"] == "nlu_fallback"


def _with_part(message: Message, intent: str, confidence: float) -> Message:
    message.set("questions", [{"intent_ranking": [{"name": intent, "confidence": confidence}]}])
    return message


def test_a_part_that_clearly_asks_is_the_question(guard: GuardedFallbackClassifier) -> None:
    message = _with_part(_classified("inform", 0.25), "ask_programs", 0.68)
    clear = _classified("ask_visa", 0.9)
    assert guard.process([message, clear]) == [message, clear]  # every message goes on
    assert message.get(INTENT)["name"] == "ask_programs"
    assert clear.get(INTENT)["name"] == "ask_visa"


def test_an_unsure_or_non_question_part_still_falls_back(
    guard: GuardedFallbackClassifier,
) -> None:
    unsure = _with_part(_classified("inform", 0.25), "ask_programs", 0.4)
    facts = _with_part(_classified("inform", 0.25), "inform", 0.9)
    guard.process([unsure, facts])
    assert unsure.get(INTENT)["name"] == "nlu_fallback"
    assert facts.get(INTENT)["name"] == "nlu_fallback"


def test_an_out_of_scope_line_with_a_clear_in_scope_part_is_that_question(
    guard: GuardedFallbackClassifier,
) -> None:
    mixed = _classified("ask_out_of_scope", 0.8)
    mixed.set(
        "questions",
        [
            {"intent_ranking": [{"name": "ask_out_of_scope", "confidence": 0.9}]},
            {"intent_ranking": [{"name": "ask_programs", "confidence": 0.7}]},
        ],
    )
    only = _with_part(_classified("ask_out_of_scope", 0.8), "ask_out_of_scope", 0.9)
    guard.process([mixed, only])
    assert mixed.get(INTENT)["name"] == "ask_programs"  # its facts are read, both answered
    assert only.get(INTENT)["name"] == "ask_out_of_scope"
