"""No dead ends at the form's prompts, and several questions in one message
(action_extract_profile, the form's validation and action_give_advice)."""

from __future__ import annotations

from actions.answers import ActionGiveAdvice
from actions.ask import ASK_ACTIONS
from actions.extract import ActionExtractProfile
from actions.form import ValidateAdviceForm
from tests.actions.support import domain, make_tracker, run, slot_values

IN_FORM = {"active_loop": "advice_form"}


def at_prompt(text: str, slot: str, intent: str = "inform", **slots):
    return make_tracker(text, intent=intent, slots={"requested_slot": slot, **slots}, **IN_FORM)


async def test_the_visa_buttons_typed_out_are_read():
    for typed, visa in (("Either", "either"), ("both", "either"), ("J-1", "j1"), ("None", "none")):
        events, _ = await run(ActionExtractProfile(), at_prompt(typed, "visa"))
        assert slot_values(events)["visa"] == visa, typed


async def test_not_yet_at_an_exam_prompt_means_not_taken():
    events, _ = await run(ActionExtractProfile(), at_prompt("not yet", "step2_score"))
    assert slot_values(events)["step2"] == "not_taken"
    events, _ = await run(ActionExtractProfile(), at_prompt("no", "step3"))
    assert slot_values(events)["step3"] == "not_taken"


async def test_the_ck_payload_not_taken_yet_is_read():
    payload = "I have not taken step 2 ck yet"
    events, _ = await run(ActionExtractProfile(), at_prompt(payload, "step2_score"))
    assert slot_values(events)["step2"] == "not_taken"
    # step2 is one of the form's slots, so Rasa does not reject the turn as "nothing filled"
    assert "step2" in domain()["forms"]["advice_form"]["required_slots"]


async def test_a_first_unreadable_reply_gets_a_hint_and_the_prompt_again():
    events, _ = await run(ActionExtractProfile(), at_prompt("hmm", "visa", "nlu_fallback"))
    values = slot_values(events)
    assert values["prompt_failures"] == {"field": "visa", "count": 1}
    assert values["input_problem"][0].startswith("I couldn't read your visa need in that.")
    assert '"either"' in values["input_problem"][0]


async def test_a_second_unreadable_reply_goes_on_without_the_fact():
    failures = {"field": "visa", "count": 1}
    tracker = at_prompt("hmm ok", "visa", "nlu_fallback", prompt_failures=failures)
    events, _ = await run(ActionExtractProfile(), tracker)
    values = slot_values(events)
    assert values["skipped"] == ["visa"]
    assert values["prompt_failures"] is None
    assert values["input_problem"][0].startswith("Let's leave your visa need aside for now")


async def test_failures_at_another_prompt_start_again_from_one():
    failures = {"field": "specialty", "count": 1}
    tracker = at_prompt("hmm", "visa", "nlu_fallback", prompt_failures=failures)
    events, _ = await run(ActionExtractProfile(), tracker)
    assert slot_values(events)["prompt_failures"] == {"field": "visa", "count": 1}


async def test_a_question_at_a_prompt_is_not_a_failed_try():
    tracker = at_prompt("how many programs", "visa", "ask_programs", question="chances")
    events, _ = await run(ActionExtractProfile(), tracker)
    assert "prompt_failures" not in slot_values(events)


async def test_the_prompt_after_a_failure_says_the_hint_first():
    hint = "I couldn't read your visa need in that."
    tracker = at_prompt("", "visa", input_problem=[hint])
    _, messages = await run(ASK_ACTIONS["visa"](), tracker)
    assert messages[0]["text"] == hint
    assert messages[1]["text"] == "Which visa will you need for residency?"


async def test_two_questions_in_one_message_are_both_kept():
    tracker = make_tracker(
        "IM or FM, which is better and how many programs", intent="ask_compare+ask_programs"
    )
    events, _ = await run(ActionExtractProfile(), tracker)
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
    events, messages = await run(ActionGiveAdvice(), make_tracker("", slots=slots))
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
    values = slot_values((await run(ActionExtractProfile(), tracker))[0])
    assert values["question"] == "chances"
    assert values["more_questions"] == ["programs"]


async def test_a_part_too_unsure_of_its_question_leaves_the_whole_lines_intent():
    tracker = make_tracker("ck 241, and which one", intent="ask_visa")
    tracker.latest_message["questions"] = _parts(("and which one", "ask_compare", 0.2))
    values = slot_values((await run(ActionExtractProfile(), tracker))[0])
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

    tracker = make_tracker("and how many signals do we get for peds")
    tracker.latest_message["questions"] = _parts(
        ("and how many signals do we get for peds", "ask_signaling", 0.6)
    )
    _, messages = await run(ActionAcknowledgeFacts(), tracker)
    assert "signaling" in [m.get("metadata", {}).get("question") for m in messages]
    assert not any(m.get("text", "").startswith("Noted") for m in messages)


async def test_a_reply_that_reads_like_a_question_answers_the_prompt():
    # "j1 or h1b" typed at the visa prompt: NLU may call it the visa question, but it gives
    # the fact asked for and asks nothing, so the form goes on instead of a visa lecture.
    from actions.answers import ActionAnswerNow

    slots = {"requested_slot": "visa", "question": "programs", "visa": "either"}
    tracker = make_tracker("j1 or h1b", intent="ask_visa", slots=slots, active_loop="advice_form")
    events, messages = await run(ActionAnswerNow(), tracker)
    assert (events, messages) == ([], [])


async def test_a_question_at_a_prompt_is_still_answered():
    from actions.answers import ActionAnswerNow

    slots = {"requested_slot": "visa", "question": "programs"}
    text = "which visa is easier, j1 or h1b?"
    tracker = make_tracker(text, intent="ask_visa", slots=slots, active_loop="advice_form")
    _, messages = await run(ActionAnswerNow(), tracker)
    assert any("J-1" in (m.get("text") or "") for m in messages)


def test_one_unsure_part_is_read_with_its_whole_line():
    from actions.slots import questions_from_message

    message = {
        "text": "I have a 2 year gap after graduation, is that a problem?",
        "intent": {"name": "ask_filter_out", "confidence": 0.55},
        "questions": [
            {"intent_ranking": [{"name": "ask_graduation_year", "confidence": 0.32}]},
        ],
    }
    assert [q.value for q in questions_from_message(message)] == ["filter_out"]
    message["questions"][0]["intent_ranking"][0]["confidence"] = 0.8
    assert [q.value for q in questions_from_message(message)] == ["graduation_year"]
