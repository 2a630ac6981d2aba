"""Bad input through the real actions: a friendly reply, no crash, and nothing invalid
stored. (The replying action reads the message and replies in one call.)"""

from __future__ import annotations

import pytest

from actions.answers import ActionAcknowledgeFacts
from actions.slots import PROFILE_SLOTS
from tests.actions.support import make_tracker, run, slot_values

PROFILE = {"step2": "passed", "step2_score": 231, "step1": "passed", "visa": "j1"}

# (message, intent NLU would give, phrase the reply must contain, slots that may change)
CASES = [
    ("my ck is abc", "inform", "didn't find a score", set()),
    ("ck 350", "inform", "1-300", set()),
    ("ck -5", "inform", "didn't find a score", set()),
    ("ck 235.5", "inform", "whole numbers", set()),
    ("ck two hundred thirty-five", "inform", "Noted: Step 2 CK: 235", {"step2", "step2_score"}),
    ("ck 231, 245", "inform", "two different Step 2 CK scores", set()),
    ("", "nlu_fallback", "didn't find a score", set()),
    ("a" * 10_000, "nlu_fallback", "didn't find a score", set()),
    ("😀😀🙏", "nlu_fallback", "didn't find a score", set()),
    ("درجة الامتحان", "nlu_fallback", "didn't find a score", set()),
    ("'; DROP TABLE events; --", "inform", "didn't find a score", set()),
    (
        "<script>alert('x')</script> ck 240",
        "inform",
        "Noted: Step 2 CK: 240",
        {"step2", "step2_score"},
    ),
    ("graduated in 2031", "inform", "still ahead of us", set()),
    ("graduated 1950", "inform", "further back than I can use", set()),
    (
        "I failed step 1",
        "correct",
        "Noted: Step 1: passed after one fail. That replaces: Step 1: passed first time.",
        {"step1"},
    ),
]


@pytest.mark.parametrize(
    ("text", "intent", "reply", "may_change"), CASES, ids=[c[0][:30] or "empty" for c in CASES]
)
async def test_bad_input_gets_a_friendly_reply_and_stores_nothing_invalid(
    text, intent, reply, may_change
):
    earlier = [{"event": "slot", "name": k, "value": v} for k, v in PROFILE.items()]
    user_event = {"event": "user", "text": text, "input_channel": "rest"}
    events, messages = await run(
        ActionAcknowledgeFacts(),
        make_tracker(text, intent, slots=PROFILE, events=[*earlier, user_event]),
    )
    changed = {k for k, v in slot_values(events).items() if k in PROFILE_SLOTS}
    assert changed <= may_change, (text, changed)
    said = "\n".join(m["text"] for m in messages)
    assert reply in said, (text, said)
    assert "<script>" not in said


async def test_the_same_message_many_times_gives_the_same_reply_and_profile():
    """Five quick repeats (the channel's rate limit handles floods: tests/img_channels)."""
    slots, replies = dict(PROFILE), []
    for _ in range(5):
        user_event = {"event": "user", "text": "ck 240", "input_channel": "rest"}
        events, messages = await run(
            ActionAcknowledgeFacts(),
            make_tracker("ck 240", "inform", slots=slots, events=[user_event]),
        )
        slots = {**slots, **slot_values(events)}
        replies.append("\n".join(m["text"] for m in messages))
        assert {k: slots[k] for k in PROFILE} == {**PROFILE, "step2_score": 240}
    assert all(reply for reply in replies)
