"""Pending notices are said once, first, by every action that replies."""

from __future__ import annotations

import inspect

import actions.answers
import actions.ask
from actions.answers import ActionAcknowledgeFacts, ActionConsent, ActionExplain
from actions.problems import Reply
from tests.actions.support import make_tracker, run, slot_values

NOTICES = {"welcome_back": "Welcome back! I still have: J-1.", "input_problem": ["No 350."]}


def test_every_replying_action_is_a_reply():
    actions_found = [
        cls
        for module in (actions.answers, actions.ask)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and hasattr(cls, "name") and cls is not Reply
    ]
    assert actions_found
    assert all(issubclass(cls, Reply) for cls in actions_found), actions_found


async def test_notices_come_first_and_are_cleared():
    for action in (ActionExplain(), ActionConsent(), actions.ask.ASK_ACTIONS["visa"]()):
        events, messages = await run(action, make_tracker(intent="affirm", slots=NOTICES))
        assert [m["text"] for m in messages[:2]] == ["Welcome back! I still have: J-1.", "No 350."]
        assert slot_values(events)["welcome_back"] is None
        assert slot_values(events)["input_problem"] is None


async def test_a_changed_answer_says_the_notices_once(monkeypatch):
    monkeypatch.setenv("IMG_ADVISOR_TODAY", "2026-11-23")
    tracker = make_tracker(
        "ck 236",
        intent="correct",
        slots={
            **NOTICES,
            "question": "chances",
            "last_why": "because",
            "disclaimer_shown": True,
            "step2_score": 236,
        },
        events=[
            {"event": "user", "text": "ck 236"},
            {"event": "slot", "name": "step2_score", "value": 236},
        ],
    )
    _, messages = await run(ActionAcknowledgeFacts(), tracker)
    texts = [m["text"] for m in messages]
    assert texts.count("No 350.") == 1 and texts[0].startswith("Welcome back")
