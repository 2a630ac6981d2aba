from __future__ import annotations

from actions.extract import MessageFacts, MessageReader, Step, Turn
from img_strategy import Field
from img_strategy.parsing import ParsedFacts, Reading, Unsure
from tests.actions.support import make_tracker, read, slot_values


async def test_several_facts_in_one_message():
    events, texts = read(
        make_tracker("failed S1 once, CK 228, need J1, peds?", intent="ask_chances"),
    )
    assert slot_values(events) == {
        "question": "chances",
        "visa": "j1",
        "specialty": "pediatrics",
        "step1": "failed_then_passed",
        "step1_attempts": 2,
        "step2": "passed",
        "step2_score": 228,
    }
    assert texts == []


async def test_question_inside_the_form_keeps_the_pending_question():
    tracker = make_tracker(
        "how many programs should i apply to",
        intent="ask_programs",
        slots={"question": "chances", "requested_slot": "visa"},
        active_loop="advice_form",
    )
    events, _ = read(tracker)
    assert "question" not in slot_values(events)


async def test_a_bare_number_answers_the_requested_slot():
    tracker = make_tracker(
        "two thirty", slots={"requested_slot": "step2_score"}, active_loop="advice_form"
    )
    events, _ = read(tracker)
    assert slot_values(events)["step2_score"] == 230


async def test_what_if_never_touches_the_profile():
    events, _ = read(
        make_tracker("what if I get 245", "what_if", slots={"step2_score": 228}),
    )
    assert slot_values(events) == {}


async def test_skip_marks_the_requested_fact_as_skipped():
    tracker = make_tracker(
        "i'd rather not say",
        intent="skip",
        slots={"requested_slot": "visa", "skipped": ["graduation_year"]},
        active_loop="advice_form",
    )
    events, _ = read(tracker)
    assert slot_values(events) == {"skipped": ["graduation_year", "visa"]}


async def test_invalid_values_are_explained_and_not_stored():
    cases = {
        "my ck is 350": ("1-300", "score_out_of_range"),
        "ck 205": ("218", "ck_below_passing"),  # under every pass mark (F3, F4)
        "graduated in 2031": ("2031", "grad_year_future"),
        "ck 235.5": ("whole numbers", "score_not_whole"),
    }
    for text, (phrase, _code) in cases.items():
        events, texts = read(make_tracker(text))
        values = slot_values(events)
        assert "step2_score" not in values and "graduation_year" not in values, text
        assert phrase in texts[0], (text, texts)


async def test_correction_replaces_the_old_value():
    tracker = make_tracker(
        "sorry my CK is 241 not 231",
        intent="correct",
        slots={"step2_score": 231, "step2": "passed"},
    )
    events, _ = read(tracker)
    assert slot_values(events)["step2_score"] == 241


async def test_an_unreachable_database_is_announced_once(monkeypatch):
    from actions.store import profile_store

    monkeypatch.setenv("TRACKER_DIALECT", "postgresql")
    monkeypatch.setenv("TRACKER_PORT", "1")  # nothing listens there
    profile_store.cache_clear()
    events, texts = read(make_tracker("ck 241"))
    values = slot_values(events)
    assert values["storage_down"] is True
    assert "not being saved" in texts[0]
    assert values["step2_score"] == 241  # the conversation goes on
    _, again = read(make_tracker("j1", slots={"storage_down": True}))
    assert again == []


async def test_an_unsure_reading_is_asked_not_stored():
    events, texts = read(make_tracker("I have 4 months, is that enough?", "ask_chances"))
    values = slot_values(events)
    assert "usce_months" not in values
    assert values["unsure_fact"] == {"usce_months": 4}
    assert "Is that your US clinical experience?" in texts[-1]


async def test_yes_stores_the_unsure_reading_and_no_drops_it():
    asked = {"unsure_fact": {"usce_months": 4}}
    events, _ = read(make_tracker("yes", "affirm", slots=asked))
    assert slot_values(events) == {"unsure_fact": None, "usce_months": 4}
    events, _ = read(make_tracker("no", "deny", slots=asked))
    assert slot_values(events) == {"unsure_fact": None}


async def test_moving_on_drops_the_unsure_reading_and_reads_the_message():
    asked = {"unsure_fact": {"graduation_year": 2019}}
    events, _ = read(make_tracker("ck 231", "inform", slots=asked))
    values = slot_values(events)
    assert values["unsure_fact"] is None
    assert values["step2_score"] == 231
    assert "graduation_year" not in values


# The steps of MessageReader.read, one by one.


def test_the_turn_expects_the_requested_fact_only_inside_the_form():
    slots = {"requested_slot": "visa"}
    assert Turn.read(make_tracker("j1", slots=slots, active_loop="advice_form")).expected is (
        Field.VISA
    )
    # A stale requested_slot after the form ended is no prompt to answer.
    assert Turn.read(make_tracker("j1", slots=slots)).expected is None


def test_an_unsure_reading_a_plain_fact_covers_is_not_asked_back():
    covered = Unsure(Reading.USCE_MONTHS, {"usce_months": 4}, "4 months")
    open_ = Unsure(Reading.GRADUATION_YEAR, {"graduation_year": 2019}, "2019")
    facts = ParsedFacts(changes={"usce_months": 6}, unsure=(covered, open_))
    assert MessageFacts.of(facts).unsure == (open_,)
    assert MessageFacts.of(ParsedFacts()).got_something is False


def test_only_a_yes_or_a_no_settles_the_turn_on_an_unsure_reading():
    action, asked = MessageReader(), {"unsure_fact": {"usce_months": 4}}
    for intent, settles in (("affirm", True), ("deny", True), ("inform", False)):
        tracker = make_tracker("x", intent, slots=asked)
        step = action.resolve_unsure(tracker, Turn.read(tracker))
        assert step.settles_turn is settles, intent
        assert slot_values(step.events)["unsure_fact"] is None, intent
    tracker = make_tracker("yes", "affirm")
    assert action.resolve_unsure(tracker, Turn.read(tracker)) == Step([])


def test_a_skip_outside_a_prompt_declines_nothing():
    tracker = make_tracker("skip that", "skip", slots={"requested_slot": "visa"})
    assert MessageReader().skip_prompt(tracker, Turn.read(tracker)) == Step([])


def test_a_reply_outside_a_prompt_counts_no_tries():
    tracker = make_tracker("blah", slots={"prompt_failures": {"field": "visa", "count": 1}})
    turn = Turn.read(tracker)
    action = MessageReader()
    assert action.follow_up(tracker, turn, action.parse(turn)) == ([], [])


async def test_the_storage_notice_stays_first_when_a_value_is_also_refused(monkeypatch):
    from actions.store import profile_store

    monkeypatch.setenv("TRACKER_DIALECT", "postgresql")
    monkeypatch.setenv("TRACKER_PORT", "1")  # nothing listens there
    profile_store.cache_clear()
    _, notices = read(make_tracker("my ck is 350"))
    assert "not being saved" in notices[0] and "1-300" in notices[1]


async def test_a_ck_date_is_stored_in_its_slot():
    tracker = make_tracker("my CK is on 15 March 2027", intent="inform")
    slots = slot_values((read(tracker))[0])
    assert slots["step2_date"] == "2027-03-15" and slots["step2"] == "not_taken"
    assert "graduation_year" not in slots


async def test_a_bare_date_answers_when_the_ck_pass_depends_on_it():
    # CK 216 passed before 1 July 2025 and failed from then (F3, F4): the answer asked
    # "When did you take CK?", so "june 2025" on its own is the CK date.
    ck_216 = {"step2": "passed", "step2_score": 216}
    slots = slot_values((read(make_tracker("june 2025", slots=ck_216)))[0])
    assert slots == {"step2_date": "2025-06-01"}
    # Without such a CK, a bare month and year is not taken for a CK date.
    slots = slot_values((read(make_tracker("june 2025")))[0])
    assert "step2_date" not in slots


async def test_no_practice_exam_yet_moves_the_form_on():
    # At the practice-score prompt, "none yet" in any words is an answer, not a failed try.
    for reply in ("no practice tests yet", "havent done any nbme", "not yet", "none so far"):
        tracker = make_tracker(
            reply,
            slots={"requested_slot": "step2_practice", "step2": "not_taken"},
            active_loop="advice_form",
        )
        events, texts = read(tracker)
        values = slot_values(events)
        assert values.get("skipped") == ["step2_practice"], reply
        assert texts == [] and "prompt_failures" not in values, reply


async def test_a_score_still_to_come_is_stored_as_pending():
    events, texts = read(
        make_tracker("gave ck last month, result awaited. chances for FM?", intent="ask_chances")
    )
    values = slot_values(events)
    assert values["step2"] == "pending"
    assert "step2_score" not in values and texts == []


async def test_no_step_taken_yet_is_stored_for_every_step():
    events, _ = read(make_tracker("final year student, no usmle given yet"))
    values = slot_values(events)
    assert [values[s] for s in ("step1", "step2", "step3")] == ["not_taken"] * 3


async def test_a_failed_ck_is_stored_with_its_score():
    events, texts = read(make_tracker("failed ck with 209, should i retake?", intent="ask_retake"))
    values = slot_values(events)
    assert (values["step2"], values["step2_score"]) == ("failed", 209)
    assert texts == []


async def test_the_visa_ruled_out_is_not_stored():
    tracker = make_tracker("h1b pls, j1 wont work for me", slots={"requested_slot": "visa"})
    events, _ = read(tracker)
    assert slot_values(events)["visa"] == "h1b"


def test_facts_typed_with_a_question_outside_the_guidance_are_still_read():
    # "Not covered" is about the question, not the facts around it.
    events, _ = read(
        make_tracker("passed s1, ck 247. whats the pass rate of plab 2", intent="ask_out_of_scope")
    )
    values = slot_values(events)
    assert (values["step1"], values["step2_score"]) == ("passed", 247)
