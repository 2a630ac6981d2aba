"""Every replying action reads the message itself, and says what reading it found to say
before its own reply (one action-server call per turn)."""

from __future__ import annotations

import inspect

import actions.answers
from actions.answers import ActionAcknowledgeFacts, ActionConsent, ActionExplain
from actions.problems import Reply
from tests.actions.support import make_tracker, run, slot_values


def test_every_replying_action_is_a_reply():
    actions_found = [
        cls
        for _, cls in inspect.getmembers(actions.answers, inspect.isclass)
        if cls.__module__ == actions.answers.__name__ and hasattr(cls, "name") and cls is not Reply
    ]
    assert actions_found
    assert all(issubclass(cls, Reply) for cls in actions_found), actions_found


async def test_what_reading_found_comes_first():
    for action in (ActionExplain(), ActionConsent()):
        events, messages = await run(action, make_tracker("my ck is 350", intent="affirm"))
        assert "1-300" in messages[0]["text"], action.name()
        assert "step2_score" not in slot_values(events)


async def test_a_message_read_earlier_in_the_turn_is_not_read_again():
    # "why?" mid-form is read by action_explain; the form that resumes after it must not
    # say the refusal again or count a second failed try.
    events = [
        {"event": "user", "text": "my ck is 350"},
        {"event": "action", "name": "action_explain"},
    ]
    tracker = make_tracker("my ck is 350", intent="why", events=events)
    _, messages = await run(ActionAcknowledgeFacts(), tracker)
    assert not any("1-300" in m["text"] for m in messages)


async def test_facts_are_stored_and_acknowledged_in_the_same_call(monkeypatch):
    monkeypatch.setenv("IMG_ADVISOR_TODAY", "2026-11-23")
    tracker = make_tracker("ck 236", intent="inform")
    events, messages = await run(ActionAcknowledgeFacts(), tracker)
    assert slot_values(events)["step2_score"] == 236
    assert messages[0]["text"].startswith("Noted: Step 2 CK: 236")
