"""The question registry against Rasa's files and the actions: one place per question."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.intents import BEGIN, END, GeneratedList, generated_lists
from actions.messages import WHAT_IF_HIGHER, WHY, follow_up_buttons, menu_buttons
from img_strategy import Question
from img_strategy.questions import INTENT_PREFIX

ROOT = Path(__file__).parents[2]
REGISTRY_INTENTS = [q.intent for q in Question]
PAIR = "+"  # Rasa multi-intents ("ask_compare+ask_programs"): two registry questions at once


def _single(intent: str) -> bool:
    return PAIR not in intent


def _pairs_of_registry_questions(intents: list[str]) -> bool:
    pairs = [i for i in intents if not _single(i)]
    return all(part in REGISTRY_INTENTS for pair in pairs for part in pair.split(PAIR))


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _nlu_examples() -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in _load(path).get("nlu", []):
            if "intent" in block:
                lines = [line[2:] for line in block["examples"].splitlines() if line.strip()]
                examples.setdefault(block["intent"], []).extend(lines)
    return examples


def test_the_domain_lists_exactly_the_registry_questions():
    intents = [i for i in _load(ROOT / "domain.yml")["intents"] if str(i).startswith(INTENT_PREFIX)]
    assert [i for i in intents if _single(i)] == REGISTRY_INTENTS
    assert _pairs_of_registry_questions(intents)


def test_the_question_rule_lists_exactly_the_registry_questions():
    rules = _load(ROOT / "data" / "rules" / "rules.yml")["rules"]
    or_lists = [
        [branch["intent"] for branch in step["or"]]
        for rule in rules
        for step in rule["steps"]
        if "or" in step and any(b.get("intent", "").startswith(INTENT_PREFIX) for b in step["or"])
    ]
    # One list: a question starts the form; mid-form the form itself answers it.
    assert len(or_lists) == 1
    assert all([i for i in listed if _single(i)] == REGISTRY_INTENTS for listed in or_lists)
    assert all(_pairs_of_registry_questions(listed) for listed in or_lists)


def test_no_question_intent_outside_the_registry_in_rules_stories_or_nlu():
    named: set[str] = set(_nlu_examples())
    for path in [*(ROOT / "data").rglob("*.yml"), ROOT / "tests" / "test_stories.yml"]:
        text = path.read_text(encoding="utf-8")
        named |= {w.strip(" -:") for w in text.split() if w.startswith(INTENT_PREFIX)}
    asked = {part for name in named if name.startswith(INTENT_PREFIX) for part in name.split(PAIR)}
    assert asked <= set(REGISTRY_INTENTS)


def test_the_generated_blocks_are_current():
    stale = [g.path.name for g in generated_lists() if not g.is_current()]
    assert not stale, "run `make registry`"


def test_every_question_has_nlu_examples():
    examples = _nlu_examples()
    thin = {i: len(examples.get(i, [])) for i in REGISTRY_INTENTS if len(examples.get(i, [])) < 8}
    assert not thin


@pytest.mark.parametrize("question", list(Question))
def test_follow_up_buttons_come_from_the_registry(question):
    spec = question.spec
    buttons = follow_up_buttons(question)
    asks = [{"title": q.title, "payload": q.spec.ask} for q in spec.follow_ups]
    assert buttons[: len(asks)] == asks
    extra = [b["payload"] for b in buttons[len(asks) :]]
    assert extra == ([WHAT_IF_HIGHER] if spec.score_sensitive else []) + [WHY]


def test_menu_buttons_ask_registry_questions():
    asks = {q.spec.ask: q.title for q in Question}
    assert all(asks[b["payload"]] == b["title"] for b in menu_buttons())


def test_a_stale_block_is_rewritten_and_a_missing_marker_refused(tmp_path):
    path = tmp_path / "domain.yml"
    path.write_text(f"intents:\n  - greet\n  {BEGIN}\n  - ask_chances\n  {END}\n  - bye\n")
    generated = GeneratedList(path, "- {intent}")
    assert not generated.is_current()
    assert generated.write()
    lines = path.read_text().splitlines()
    assert lines[3:-2] == [f"  - {intent}" for intent in REGISTRY_INTENTS]
    assert lines[-1] == "  - bye" and generated.is_current()
    path.write_text("intents:\n  - greet\n")
    with pytest.raises(ValueError, match=r"no .* marker"):
        generated.is_current()
