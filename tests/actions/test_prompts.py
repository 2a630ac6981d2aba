"""No dead ends at the form's prompts, and several questions in one message (reading the
message, and the form's validation, which also answers)."""

from __future__ import annotations

from actions.form import ValidateAdviceForm
from tests.actions.support import domain, form_turn, make_tracker, read, run, slot_values

IN_FORM = {"active_loop": "advice_form"}


def at_prompt(text: str, slot: str, intent: str = "inform", **slots):
    return make_tracker(text, intent=intent, slots={"requested_slot": slot, **slots}, **IN_FORM)


async def test_the_visa_buttons_typed_out_are_read():
    for typed, visa in (("Either", "either"), ("both", "either"), ("J-1", "j1"), ("None", "none")):
        events, _ = read(at_prompt(typed, "visa"))
        assert slot_values(events)["visa"] == visa, typed


async def test_not_yet_at_an_exam_prompt_means_not_taken():
    events, _ = read(at_prompt("not yet", "step2_score"))
    assert slot_values(events)["step2"] == "not_taken"
    events, _ = read(at_prompt("no", "step3"))
    assert slot_values(events)["step3"] == "not_taken"


async def test_the_ck_payload_not_taken_yet_is_read():
    payload = "I have not taken step 2 ck yet"
    events, _ = read(at_prompt(payload, "step2_score"))
    assert slot_values(events)["step2"] == "not_taken"
    # step2 is one of the form's slots, so Rasa does not reject the turn as "nothing filled"
    assert "step2" in domain()["forms"]["advice_form"]["required_slots"]


async def test_a_first_unreadable_reply_gets_a_hint_and_the_prompt_again():
    events, texts = read(at_prompt("hmm", "visa", "nlu_fallback"))
    values = slot_values(events)
    assert values["prompt_failures"] == {"field": "visa", "count": 1}
    assert texts[0].startswith("I couldn't read your visa need in that.")
    assert '"either"' in texts[0]


async def test_a_second_unreadable_reply_goes_on_without_the_fact():
    failures = {"field": "visa", "count": 1}
    tracker = at_prompt("hmm ok", "visa", "nlu_fallback", prompt_failures=failures)
    events, texts = read(tracker)
    values = slot_values(events)
    assert values["skipped"] == ["visa"]
    assert values["prompt_failures"] is None
    assert texts[0].startswith("Let's leave your visa need aside for now")


async def test_failures_at_another_prompt_start_again_from_one():
    failures = {"field": "specialty", "count": 1}
    tracker = at_prompt("hmm", "visa", "nlu_fallback", prompt_failures=failures)
    events, _ = read(tracker)
    assert slot_values(events)["prompt_failures"] == {"field": "visa", "count": 1}


async def test_a_question_at_a_prompt_is_not_a_failed_try():
    tracker = at_prompt("how many programs", "visa", "ask_programs", question="chances")
    events, _ = read(tracker)
    assert "prompt_failures" not in slot_values(events)


async def test_the_prompt_after_a_failure_says_the_hint_first():
    # The form's turn says the hint; Rasa's form then says the visa question again itself.
    known = {"question": "programs", "specialty": "pediatrics", "step1": "passed"}
    known |= {"step2": "passed", "step2_score": 232}
    events, messages = await form_turn(at_prompt("hmm", "visa", "nlu_fallback", **known))
    assert messages[0]["text"].startswith("I couldn't read your visa need in that.")
    assert slot_values(events)["requested_slot"] == "visa"


async def test_two_questions_in_one_message_are_both_kept():
    tracker = make_tracker(
        "IM or FM, which is better and how many programs", intent="ask_compare+ask_programs"
    )
    events, _ = read(tracker)
    values = slot_values(events)
    assert values["question"] == "compare"
    assert values["more_questions"] == ["programs"]
    assert values["asked"]["specialties"] == ["internal_medicine", "family_medicine"]


async def test_the_form_asks_what_either_question_needs():
    tracker = make_tracker(
        "", slots={"question": "visa", "more_questions": ["step3"]}, active_loop="advice_form"
    )
    needed = await ValidateAdviceForm().required_slots([], None, tracker, domain())
    assert needed == ["visa", "step2_score"]


async def test_both_questions_are_answered_in_order_with_one_disclaimer():
    slots = {
        "question": "visa",
        "more_questions": ["step3"],
        "visa": "h1b",
        "step2": "passed",
        "step2_score": 238,
    }
    events, messages = await form_turn(make_tracker("", slots=slots, active_loop="advice_form"))
    texts = [m["text"] for m in messages]
    assert sum("educational guidance" in t for t in texts) == 1
    visa_at = next(i for i, t in enumerate(texts) if "H-1B only narrows your options" in t)
    step3_at = next(i for i, t in enumerate(texts) if "For an H-1B you need Step 3 passed" in t)
    assert visa_at < step3_at
    assert slot_values(events)["more_questions"] is None


async def test_a_question_among_facts_is_answered_not_dropped():
    from actions.answers import ActionAcknowledgeFacts

    text = "my ck is 226 and im applying to FM. should i go for j1 or h1b?"
    tracker = make_tracker(
        text, slots={"step2": "passed", "step2_score": 226, "specialty": "family_medicine"}
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "inform", "confidence": 0.7},
        {"name": "ask_visa", "confidence": 0.2},
    ]
    tracker.events.append({"event": "slot", "name": "step2_score", "value": 226})
    events, messages = await run(ActionAcknowledgeFacts(), tracker)
    texts = "\n".join(m["text"] for m in messages)
    assert texts.startswith("Noted:")
    assert "ECFMG" in texts and "What would you like to know?" not in texts
    assert slot_values(events)["question"] == "visa"


async def test_facts_naming_a_match_to_plan_for_get_the_plan():
    # NLU may label "plan for 2029 match pls, <facts>" as facts; the Match it names and the
    # plan intent among the alternatives still ask for the plan, aimed at that Match.
    from actions.answers import ActionAcknowledgeFacts

    text = "plan for 2029 match pls, passed s1 first try, ck not taken yet"
    asked = {"specialties": [], "uncovered": "other", "match_year": 2029}
    slots = {"step1": "passed", "step2": "not_taken", "asked": asked, "disclaimer_shown": True}
    tracker = make_tracker(text, slots=slots)
    tracker.latest_message["intent_ranking"] = [
        {"name": "inform", "confidence": 0.7},
        {"name": "ask_chances", "confidence": 0.15},
        {"name": "ask_plan", "confidence": 0.1},
    ]
    tracker.events.append({"event": "slot", "name": "step1", "value": "passed"})
    events, messages = await run(ActionAcknowledgeFacts(), tracker)
    texts = "\n".join(m.get("text") or "" for m in messages)
    assert slot_values(events)["question"] == "plan"
    assert "You asked for the 2029 Match" in texts and "Step 2 CK:" in texts


async def test_a_request_among_facts_is_answered_without_a_question_mark():
    from actions.answers import ActionAcknowledgeFacts

    text = "make me a plan. cleared step 1 first go, ck 236"
    slots = {"step1": "passed", "step2": "passed", "step2_score": 236, "disclaimer_shown": True}
    tracker = make_tracker(text, slots=slots)
    tracker.latest_message["intent_ranking"] = [
        {"name": "inform", "confidence": 0.6},
        {"name": "ask_plan", "confidence": 0.25},
        {"name": "ask_chances", "confidence": 0.1},
    ]
    tracker.events.append({"event": "slot", "name": "step2_score", "value": 236})
    events, _ = await run(ActionAcknowledgeFacts(), tracker)
    assert slot_values(events)["question"] == "plan"


async def test_facts_without_a_question_mark_are_only_read_back():
    from actions.answers import ActionAcknowledgeFacts

    tracker = make_tracker("ck 226, FM", slots={"step2_score": 226})
    tracker.latest_message["intent_ranking"] = [
        {"name": "inform", "confidence": 0.7},
        {"name": "ask_visa", "confidence": 0.2},
    ]
    tracker.events.append({"event": "slot", "name": "step2_score", "value": 226})
    _, messages = await run(ActionAcknowledgeFacts(), tracker)
    assert messages[-1]["text"] == "What would you like to know?"


def _parts(*parts: tuple[str, str, float]) -> list[dict]:
    """The parse result's questions: each part's text and its own best intent."""
    return [
        {"text": text, "intent_ranking": [{"name": intent, "confidence": confidence}]}
        for text, intent, confidence in parts
    ]


async def test_every_question_of_a_message_is_kept_whatever_the_whole_line_is_labelled():
    text = "s1 pass ck 241 j1. what are my chances for IM and how many programs should i apply"
    tracker = make_tracker(text, intent="ask_target_score")
    tracker.latest_message["questions"] = _parts(
        ("what are my chances for IM", "ask_chances", 0.8),
        ("and how many programs should i apply", "ask_programs", 0.9),
    )
    values = slot_values((read(tracker))[0])
    assert values["question"] == "chances"
    assert values["more_questions"] == ["programs"]


async def test_a_part_too_unsure_of_its_question_leaves_the_whole_lines_intent():
    tracker = make_tracker("ck 241, and which one", intent="ask_visa")
    tracker.latest_message["questions"] = _parts(("and which one", "ask_compare", 0.2))
    values = slot_values((read(tracker))[0])
    assert values["question"] == "visa"


async def test_two_questions_among_facts_are_both_answered():
    from actions.answers import ActionAcknowledgeFacts

    text = "ck 238, need h1b. which visa is better? and do i need step 3 before applying"
    slots = {"step2": "passed", "step2_score": 238, "visa": "h1b"}
    tracker = make_tracker(text, slots=slots)
    tracker.latest_message["questions"] = _parts(
        ("which visa is better", "ask_visa", 0.7),
        ("and do i need step 3 before applying", "ask_step3", 0.6),
    )
    tracker.events.append({"event": "slot", "name": "step2_score", "value": 238})
    events, messages = await run(ActionAcknowledgeFacts(), tracker)
    answered = [m.get("metadata", {}).get("question") for m in messages]
    assert answered.index("visa") < answered.index("step3")
    assert slot_values(events)["question"] == "visa"


async def test_a_question_labelled_as_facts_is_answered_even_without_facts():
    from actions.answers import ActionAcknowledgeFacts

    tracker = make_tracker("and how many signals do we get")
    tracker.latest_message["questions"] = _parts(
        ("and how many signals do we get", "ask_signaling", 0.6)
    )
    _, messages = await run(ActionAcknowledgeFacts(), tracker)
    assert "signaling" in [m.get("metadata", {}).get("question") for m in messages]
    assert not any(m.get("text", "").startswith("Noted") for m in messages)


async def test_a_reply_that_reads_like_a_question_answers_the_prompt():
    # "j1 or h1b" typed at the visa prompt: NLU may call it the visa question, but it gives
    # the fact asked for and asks nothing, so the form goes on instead of a visa lecture.
    slots = {"requested_slot": "visa", "question": "programs", "specialty": "pediatrics"}
    tracker = make_tracker("j1 or h1b", intent="ask_visa", slots=slots, active_loop="advice_form")
    events, messages = await form_turn(tracker)
    assert slot_values(events)["visa"] == "either"
    assert "visa" not in [m.get("metadata", {}).get("question") for m in messages]


async def test_a_question_at_a_prompt_is_still_answered():
    slots = {"requested_slot": "visa", "question": "programs"}
    text = "which visa is easier, j1 or h1b?"
    tracker = make_tracker(text, intent="ask_visa", slots=slots, active_loop="advice_form")
    events, messages = await form_turn(tracker)
    assert any("J-1" in (m.get("text") or "") for m in messages)
    assert messages[-1]["text"] == "Now, back to your earlier question."
    assert slot_values(events)["requested_slot"] == "specialty"  # what "programs" needs first


async def test_a_new_question_among_the_facts_of_a_reply_is_answered_and_the_facts_kept():
    # At the CK prompt: the score, then a question of another kind in the same line.
    slots = {"requested_slot": "step2_score", "question": "chances", "specialty": "pediatrics"}
    text = "ck 232. btw is observership counted as usce"
    tracker = make_tracker(text, slots=slots, active_loop="advice_form")
    tracker.latest_message["questions"] = _parts(
        ("btw is observership counted as usce", "ask_observership", 0.8)
    )
    events, messages = await form_turn(tracker)
    values = slot_values(events)
    assert values["step2_score"] == 232
    assert "observership" in [m.get("metadata", {}).get("question") for m in messages]
    assert values["requested_slot"] != "step2_score"  # the fact was taken: the form moves on


async def test_the_pending_question_asked_again_in_a_reply_is_answered_once_at_the_end():
    slots = {
        "requested_slot": "visa",
        "question": "chances",
        "specialty": "pediatrics",
        "step1": "passed",
        "step2": "passed",
        "step2_score": 232,
        "graduation_year": 2021,
    }
    text = "j1. so what are my chances"
    tracker = make_tracker(text, slots=slots, active_loop="advice_form")
    tracker.latest_message["questions"] = _parts(("so what are my chances", "ask_chances", 0.8))
    events, messages = await form_turn(tracker)
    answered = [m.get("metadata", {}).get("question") for m in messages]
    assert slot_values(events)["requested_slot"] is None  # nothing more to ask
    assert "Now, back to your earlier question." not in [m.get("text") for m in messages]
    assert answered.count("chances") >= 1 and set(answered) <= {"chances", None}


async def test_the_form_waits_for_the_yes_or_no_to_a_reading_it_proposed():
    # Asking "is that your US clinical experience?" and, in the same turn, the next fact
    # (or the same one again) would leave the user two questions to answer.
    slots = {"requested_slot": "visa", "question": "chances", "specialty": "pediatrics"}
    tracker = make_tracker("j1. i have 4 months", slots=slots, active_loop="advice_form")
    events, messages = await form_turn(tracker)
    values = slot_values(events)
    assert values["visa"] == "j1" and values["unsure_fact"] == {"usce_months": 4}
    assert "Is that your US clinical experience?" in messages[-1]["text"]
    assert values["requested_slot"] == "unsure_fact"  # no question of its own: Rasa asks none
    assert "utter_ask_unsure_fact" not in domain()["responses"]
    # The yes stores it and the form goes on with what it still needs.
    yes = make_tracker(
        "yes",
        intent="affirm",
        slots={
            **slots,
            "visa": "j1",
            "unsure_fact": {"usce_months": 4},
            "requested_slot": "unsure_fact",
        },
        active_loop="advice_form",
    )
    events, _ = await form_turn(yes)
    values = slot_values(events)
    assert values["usce_months"] == 4 and values["unsure_fact"] is None
    assert values["requested_slot"] not in (None, "unsure_fact")
