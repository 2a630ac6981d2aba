from __future__ import annotations

from actions.answers import (
    ANSWERED_QUESTION,
    ActionAcknowledgeFacts,
    ActionConsent,
    ActionExplain,
    ActionForgetMe,
    ActionGreet,
    ActionShowProfile,
    ActionWhatIf,
    private_chat_url,
)
from actions.messages import ASK_CONSENT, DISCLAIMER
from actions.slots import PROFILE_SLOTS
from actions.store import owner, profile_store
from img_strategy import Field, Profile, Question
from tests.actions.support import domain, form_turn, make_tracker, run, slot_values


def profile_from_dict(slots: dict) -> Profile:
    return Profile.from_dict(slots)


async def form_ends(slots: dict):
    """The form's last step: its validation finds nothing more to ask and answers."""
    return await form_turn(make_tracker(slots=slots, active_loop="advice_form"))


CASE3 = {
    "question": "programs",
    "specialty": "pediatrics",
    "step1": "failed_then_passed",
    "step1_attempts": 2,
    "step2": "passed",
    "step2_score": 220,
    "visa": "j1",
}


async def test_advice_comes_verdict_first_with_disclaimer_once_and_buttons(monkeypatch):
    monkeypatch.setenv("IMG_ADVISOR_TODAY", "2026-11-23")
    events, messages = await form_ends(CASE3)
    assert messages[0]["text"] == DISCLAIMER
    assert messages[1]["text"].startswith("Apply to 100+ Pediatrics programs.")
    titles = [b["title"] for b in messages[-2]["buttons"]]
    assert "Why?" in titles and "What if my score were higher?" in titles
    assert messages[-1]["text"] == ASK_CONSENT  # asked once, after the first advice
    answered = [m.get("metadata", {}).get(ANSWERED_QUESTION) for m in messages]
    assert answered == [None, *["programs"] * (len(messages) - 2), None]  # not the disclaimer
    values = slot_values(events)
    assert values["disclaimer_shown"] is True
    assert "Case 3" in values["last_why"]
    _, again = await form_ends({**CASE3, "disclaimer_shown": True})
    assert DISCLAIMER not in [m["text"] for m in again]


async def test_what_if_uses_a_copy_of_the_profile():
    tracker = make_tracker(
        "what if I get 245", intent="what_if", slots={**CASE3, "disclaimer_shown": True}
    )
    events, messages = await run(ActionWhatIf(), tracker)
    assert messages[0]["text"].startswith("If Step 2 CK: 245 (hypothetical")
    assert not set(slot_values(events)) & set(PROFILE_SLOTS)


async def test_what_if_without_a_number_adds_the_gain_extra_prep_can_bring():
    tracker = make_tracker(
        "what if my score were higher",
        intent="what_if",
        slots={**CASE3, "question": "chances", "disclaimer_shown": True},
    )
    _, messages = await run(ActionWhatIf(), tracker)
    assert "Step 2 CK: 230" in messages[0]["text"]


async def test_why_lists_sources_or_says_nothing_to_explain():
    _, messages = await run(ActionExplain(), make_tracker(slots={"last_why": "Why I said..."}))
    assert messages[0]["text"] == "Why I said..."
    _, messages = await run(ActionExplain(), make_tracker())
    assert "haven't given you any advice" in messages[0]["text"]


async def test_show_profile_and_forget_me():
    _, messages = await run(ActionShowProfile(), make_tracker(slots=CASE3))
    assert "Step 2 CK: 220" in messages[0]["text"] and "Visa: J-1" in messages[0]["text"]
    events, messages = await run(ActionForgetMe(), make_tracker(slots=CASE3))
    assert {"event": "img_forget_conversation", "timestamp": None} in events
    assert all(v is None for v in slot_values(events).values())
    assert set(PROFILE_SLOTS) <= set(slot_values(events))
    _, messages = await run(ActionShowProfile(), make_tracker())
    assert "don't know anything" in messages[0]["text"]


async def test_interrupting_question_is_answered_then_the_form_resumes():
    tracker = make_tracker(
        "when should i take ck",
        intent="ask_ck_timing",
        slots={"question": "chances", "disclaimer_shown": True},
        active_loop="advice_form",
    )
    events, messages = await form_turn(tracker)
    assert messages[0]["text"].startswith("Take Step 2 CK")
    assert slot_values(events)["requested_slot"] == "specialty"  # the form goes on
    assert messages[-1]["text"] == "Now, back to your earlier question."


async def test_correction_after_an_answer_gives_the_updated_answer():
    events = [
        {"event": "user", "text": "sorry ck is 236"},
        {"event": "slot", "name": "step2_score", "value": 236},
    ]
    tracker = make_tracker(
        "sorry ck is 236",
        intent="correct",
        slots={**CASE3, "step2_score": 236, "last_why": "x", "disclaimer_shown": True},
        events=events,
    )
    _, messages = await run(ActionAcknowledgeFacts(), tracker)
    assert messages[0]["text"] == "Noted: Step 2 CK: 236."
    assert messages[1]["text"].startswith("With that change:\nApply to 100+")


async def test_greet_offers_the_menu_and_the_disclaimer():
    _, messages = await run(ActionGreet(), make_tracker(intent="greet"))
    assert messages[1]["text"] == DISCLAIMER
    assert len(messages[2]["buttons"]) == 6


def test_every_fact_the_form_can_ask_has_a_question_with_one_tap_answers():
    # The form says utter_ask_<slot> itself (no action call); a fact without one would be
    # requested in silence.
    askable = {f for q in Question for f in q.needs} | {Field.STEP2_PRACTICE}
    responses = domain()["responses"]
    for field in askable:
        (variant,) = responses[f"utter_ask_{field.value}"]
        assert variant["text"].endswith("?") or "say so" in variant["text"], field
        assert variant["buttons"], field


async def test_consent_is_asked_once_and_yes_saves_the_profile():
    _, messages = await form_ends({**CASE3, "remember_consent": "asked"})
    assert ASK_CONSENT not in [m["text"] for m in messages]
    events, messages = await run(
        ActionConsent(),
        make_tracker(
            "yes",
            intent="affirm",
            slots={**CASE3, "remember_consent": "asked", "consent_pending": True},
        ),
    )
    assert slot_values(events) == {"consent_pending": False, "remember_consent": "yes"}
    assert messages[0]["text"].startswith("Saved.")
    assert profile_store().load("rest", "test-user").profile.step2_score == 220


async def test_consent_no_saves_nothing():
    events, _messages = await run(
        ActionConsent(), make_tracker("no", intent="deny", slots={**CASE3, "consent_pending": True})
    )
    assert slot_values(events)["remember_consent"] == "no"
    assert profile_store().load("rest", "test-user") is None


async def test_returning_user_gets_their_saved_profile_and_a_summary():
    profile_store().save("rest", "returning", profile_from_dict(CASE3))
    tracker = make_tracker(
        "hi again", intent="greet", sender_id="rest:returning", slots={"store_checked": None}
    )
    events, messages = await run(ActionGreet(), tracker)
    values = slot_values(events)
    assert values["step2_score"] == 220 and values["visa"] == "j1"
    assert values["remember_consent"] == "yes"
    # Said first, by the action that replies to the message.
    assert messages[0]["text"].startswith("Welcome back! I still have: Target specialty: ")


async def test_consented_updates_are_saved():
    profile_store().save("rest", "test-user", profile_from_dict(CASE3))
    events = [
        {"event": "user", "text": "ck 236", "input_channel": "rest"},
        {"event": "slot", "name": "step2_score", "value": 236},
    ]
    await run(
        ActionAcknowledgeFacts(),
        make_tracker(
            "ck 236", slots={**CASE3, "step2_score": 236, "remember_consent": "yes"}, events=events
        ),
    )
    assert profile_store().load("rest", "test-user").profile.step2_score == 236


async def test_show_profile_separates_saved_from_unsaved():
    profile_store().save("rest", "test-user", profile_from_dict(CASE3))
    _, messages = await run(
        ActionShowProfile(),
        make_tracker(slots={**CASE3, "graduation_year": 2022, "remember_consent": "yes"}),
    )
    text = messages[0]["text"]
    assert text.index("Saved with your consent:") < text.index("Step 2 CK: 220")
    assert "not saved):\nGraduated: 2022" in text


async def test_forget_me_deletes_the_saved_profile():
    profile_store().save("rest", "test-user", profile_from_dict(CASE3))
    await run(
        ActionForgetMe(),
        make_tracker("forget me", intent="forget_me", slots={**CASE3, "remember_consent": "yes"}),
    )
    assert profile_store().load("rest", "test-user") is None


async def test_a_failing_store_is_reported_and_the_conversation_goes_on(monkeypatch):
    monkeypatch.setenv("TRACKER_DIALECT", "postgresql")
    monkeypatch.setenv("TRACKER_PORT", "1")  # nothing listens there
    profile_store.cache_clear()
    events, messages = await run(
        ActionConsent(),
        make_tracker("yes", intent="affirm", slots={**CASE3, "consent_pending": True}),
    )
    # The outage is told first (once per conversation), then what it means for this reply.
    assert "not being saved" in messages[0]["text"]
    assert "couldn't save your details" in messages[1]["text"]
    assert slot_values(events)["consent_pending"] is False
    down = {"storage_down": True}
    _, messages = await run(
        ActionForgetMe(), make_tracker("forget me", intent="forget_me", slots=down)
    )
    assert "couldn't delete" in messages[0]["text"]


async def test_a_rest_conversation_claiming_whatsapp_reaches_only_its_own_rest_profile():
    profile_store().save("whatsapp", "+15550001111", profile_from_dict(CASE3))
    claim = [{"event": "user", "text": "what do you know about me", "input_channel": "whatsapp"}]
    tracker = make_tracker(
        "what do you know about me",
        intent="show_profile",
        sender_id="rest:whatsapp:+15550001111",
        events=claim,
        slots={"store_checked": None},
    )
    assert owner(tracker) == ("rest", "whatsapp:+15550001111")
    await run(ActionForgetMe(), tracker)
    assert profile_store().load("whatsapp", "+15550001111") is not None
    profile_store().forget("whatsapp", "+15550001111")


def test_the_private_chat_link_is_repeated_only_in_telegram_conversations():
    link = {"audience": "group", "private_chat_url": "https://t.me/bot?start=advice"}
    telegram = make_tracker("ck 240?", sender_id="telegram:-100:7")
    telegram.latest_message["metadata"] = link
    rest = make_tracker("ck 240?", sender_id="rest:someone")
    rest.latest_message["metadata"] = {**link, "private_chat_url": "https://evil.example"}
    assert private_chat_url(telegram) == link["private_chat_url"]
    assert private_chat_url(rest) == ""


async def test_a_yes_or_no_outside_the_form_settles_an_unsure_reading():
    from actions.answers import ActionYesNo

    asked = {"unsure_fact": {"graduation_year": 2019}}
    events, messages = await run(ActionYesNo(), make_tracker("no", intent="deny", slots=asked))
    assert slot_values(events) == {"unsure_fact": None}
    assert [m["response"] for m in messages] == ["utter_ok"]
    events, _ = await run(ActionYesNo(), make_tracker("yes", intent="affirm", slots=asked))
    assert slot_values(events) == {"unsure_fact": None, "graduation_year": 2019}
