"""The blind conversation sets, played whole over REST against the real servers.

150 conversations written by people who never saw the training data
(tests/conversations/blind/). Issue #14's thresholds, held here: 95% of the facts their
personas stated read right (the floor sits higher, where the bot is), 90% of their questions
answered on topic, and no dead end (a loop or a question asked again for a fact already
given); see the floors in tests/conversations/runner.py. The 30 group-style messages
(tests/conversations/blind_group/) must have at least 27 answered right and on topic. The
first set has been read while fixing the bot; the fresh set (tests/conversations/blind_fresh/,
80 conversations) has not, and has floors of its own. Every figure, goals included, is in
results/blind.json and printed at the end of the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conversations.runner import (
    FACTS_FLOOR,
    FRESH_FACTS_FLOOR,
    FRESH_MAX_LOOPS,
    FRESH_MAX_REPEATED_QUESTIONS,
    FRESH_TOPIC_FLOOR,
    GROUP_GOAL,
    MAX_LOOPS,
    MAX_REPEATED_QUESTIONS,
    TOPIC_FLOOR,
    measure,
)

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).parents[2] / "results" / "blind.json"


@pytest.fixture(scope="module")
def blind(rasa_stack, request: pytest.FixtureRequest) -> dict[str, Any]:
    result = measure(rasa_stack.say, rasa_stack.tracker, "e2e")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        for line in result["report"].splitlines():
            reporter.write_line(line)
    return result


@dataclass(frozen=True)
class Floors:
    """What one blind set must keep: its keys in the measure's result, and its floors."""

    summary: str
    conversations: str
    facts: float
    on_topic: float
    loops: int
    repeated: int


SETS = {
    "blind": Floors(
        "blind",
        "blind_conversations",
        FACTS_FLOOR,
        TOPIC_FLOOR,
        MAX_LOOPS,
        MAX_REPEATED_QUESTIONS,
    ),
    "fresh": Floors(
        "fresh",
        "fresh_conversations",
        FRESH_FACTS_FLOOR,
        FRESH_TOPIC_FLOOR,
        FRESH_MAX_LOOPS,
        FRESH_MAX_REPEATED_QUESTIONS,
    ),
}


@pytest.mark.parametrize("name", SETS)
def test_facts_stated_are_read_right(blind: dict[str, Any], name: str) -> None:
    floors = SETS[name]
    assert blind[floors.summary]["facts_rate"] >= floors.facts, blind["report"]


@pytest.mark.parametrize("name", SETS)
def test_questions_are_answered_on_topic(blind: dict[str, Any], name: str) -> None:
    floors = SETS[name]
    assert blind[floors.summary]["on_topic_rate"] >= floors.on_topic, blind["report"]


@pytest.mark.parametrize("name", SETS)
def test_dead_ends_do_not_grow(blind: dict[str, Any], name: str) -> None:
    floors = SETS[name]
    summary = blind[floors.summary]
    stuck = [
        (c["id"], c["loops"] + c["repeated"])
        for c in blind[floors.conversations]
        if c["loops"] or c["repeated"]
    ]
    assert summary["dead_ends"] <= floors.loops, f"{stuck}\n{blind['report']}"
    assert summary["repeated_questions"] <= floors.repeated, f"{stuck}\n{blind['report']}"


def test_group_messages_are_answered_right(blind: dict[str, Any]) -> None:
    assert blind["group30"]["good_conversations"] >= GROUP_GOAL, blind["report"]
