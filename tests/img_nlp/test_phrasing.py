"""Facts as IMGs really type them, read by the whole rule-based path: the project's spaCy
pipeline finds the mentions, the one parser turns them into profile changes.

Each group is one kind of writing (issue #14), in many spellings: South Asian, Nigerian and
Egyptian English, abbreviations, typos, no punctuation.
"""

from __future__ import annotations

import pytest

from img_nlp.build import build_pipeline
from img_strategy import ExamStatus, Field, Visa
from img_strategy.parsing import ParsedFacts
from tests.img_nlp.support import read


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def status(parsed: ParsedFacts) -> dict[str, ExamStatus]:
    return {k: v for k, v in parsed.changes.items() if k in ("step1", "step2", "step3")}


# -- a. a Step not taken yet -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "exam"),
    [
        ("i have not sat for step 1 till now", "step1"),
        ("havent written s1 yet, planning next year", "step1"),
        ("Step one not given so far", "step1"),
        ("never appeared for usmle step 1", "step1"),
        ("didnt take CK yet", "step2"),
        ("I didn't sit ck so far, want IM", "step2"),
        ("ck: not done", "step2"),
        ("step2 ck not yet written", "step2"),
        ("S2 nahi diya abhi", "step2"),
        ("no step 3", "step3"),
        ("step 3 no", "step3"),
        ("step3 - nope", "step3"),
        ("I never write step 3", "step3"),
        ("not attempted S3 yet, CK 241", "step3"),
        ("s3 nai diya", "step3"),
    ],
)
def test_a_step_not_taken_yet(nlp, text, exam):
    assert status(read(nlp, text))[exam] == ExamStatus.NOT_TAKEN


@pytest.mark.parametrize(
    "text",
    [
        "no step taken yet, fresh grad",
        "havent given any usmle exam",
        "not taken any steps so far",
        "no usmle yet",
        "i have not started USMLE",
        "zero steps done",
    ],
)
def test_no_step_taken_at_all(nlp, text):
    parsed = read(nlp, text)
    assert status(parsed) == {
        "step1": ExamStatus.NOT_TAKEN,
        "step2": ExamStatus.NOT_TAKEN,
        "step3": ExamStatus.NOT_TAKEN,
    }


def test_no_other_step_leaves_the_named_one_alone(nlp):
    parsed = read(nlp, "s1 passed, no other step yet")
    assert status(parsed) == {
        "step1": ExamStatus.PASSED,
        "step2": ExamStatus.NOT_TAKEN,
        "step3": ExamStatus.NOT_TAKEN,
    }


@pytest.mark.parametrize(
    "text",
    [
        "do I not need step 3 for j1?",
        "can i match without step 3?",
        "dont need step 3 right",
        "no step 1 score, it was pass fail",
        "never failed step 1",
        "no need of step 3 for IM",
        "not sure about step 3",
        "never did Step 2 CS, do I still need it",
    ],
)
def test_what_is_not_a_step_left_untaken(nlp, text):
    assert ExamStatus.NOT_TAKEN not in status(read(nlp, text)).values()


def test_a_step_not_taken_at_its_prompt(nlp):
    for reply in ("I never write am", "nahi diya abhi", "I dont do it yet", "not take yet"):
        parsed = read(nlp, reply, expected=Field.STEP3)
        assert parsed.changes == {"step3": ExamStatus.NOT_TAKEN}, reply


# -- b. taken, the score still to come -------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "my score comes out in October",
        "gave ck last week, result awaited",
        "waiting for my CK result",
        "step 2 ck done, score not out yet",
        "ck result pending",
        "sat step2 on 3rd nov, results releasing in december",
    ],
)
def test_a_score_still_to_come(nlp, text):
    assert read(nlp, text).changes["step2"] == ExamStatus.PENDING


# -- c. no practice exam yet -----------------------------------------------------------------
@pytest.mark.parametrize(
    "reply",
    [
        "no practice tests yet",
        "haven't done any NBME",
        "havent given nbme so far",
        "not yet",
        "none yet",
        "nope",
        "no uwsa no nbme yet",
        "Nothing so far",
    ],
)
def test_no_practice_estimate_at_its_prompt(nlp, reply):
    parsed = read(nlp, reply, expected=Field.STEP2_PRACTICE)
    assert parsed.declined == {Field.STEP2_PRACTICE}
    assert "step2_practice" not in parsed.changes


def test_a_practice_score_is_still_read_at_its_prompt(nlp):
    parsed = read(nlp, "nbme 11 gave 221", expected=Field.STEP2_PRACTICE)
    assert parsed.changes["step2_practice"] == 221
    assert parsed.declined == frozenset()


# -- d. legacy Step 1 scores -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "step1", "step2"),
    [
        ("step 1 231 (old scored), ck 245", 231, 245),
        ("USMLE 1: 245 and CK 250", 245, 250),
        ("my step one score was 240 and ck 251", 240, 251),
        ("238 in step 1 and 249 in ck", 238, 249),
        ("230 step 1 and 245 ck", 230, 245),
        ("ck 252 step 1 226 back in 2017", 226, 252),
        ("Step I 229. CK 240.", 229, 240),
    ],
)
def test_a_legacy_step1_score_is_not_a_second_ck_score(nlp, text, step1, step2):
    parsed = read(nlp, text)
    assert parsed.problems == ()
    assert parsed.changes["step1_score"] == step1
    assert parsed.changes["step2_score"] == step2


# -- e. visa negations and contrasts ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "visa"),
    [
        ("H1B not J1", Visa.H1B),
        ("need h1b, j1 wont work", Visa.H1B),
        ("need h1b, j1 won't work for me", Visa.H1B),
        ("not j-1, only h-1b", Visa.H1B),
        ("j1 is not an option for me, h1b please", Visa.H1B),
        ("need a J-1 since H-1B looks impossible for me", Visa.J1),
        ("h1 only, the j1 home rule does not work for me", Visa.H1B),
        ("I need H1B. Is IM ok?", Visa.H1B),
        ("need J1 no h1b", Visa.J1),
        ("j1 h1b doesnt matter", Visa.EITHER),
        ("I need H1B or J1", Visa.EITHER),
        ("gc holder", Visa.NONE),
        ("what ck do i need for gs as an img that needs j1 visa", Visa.J1),
        # both weighed in a question: open to either
        ("which is better for me j1 or h1b?", Visa.EITHER),
        ("J1 vs H1B for IM", Visa.EITHER),
        # stated inside a question
        ("ck 241 j1 peds chances?", Visa.J1),
        ("can i get peds with 231 and a j1", Visa.J1),
        ("None (citizen / green card)", Visa.NONE),
    ],
)
def test_visa_negations_and_contrasts(nlp, text, visa):
    assert read(nlp, text).changes["visa"] == visa


@pytest.mark.parametrize(
    "text",
    [
        "do i need step 3 if i go h1b route",
        "is h1b better for IM?",
        "Nigerian citizen, ck 233",
        "what if i went the h1b way",
    ],
)
def test_a_visa_supposed_is_not_the_one_needed(nlp, text):
    assert "visa" not in read(nlp, text).changes


@pytest.mark.parametrize(
    ("reply", "visa"),
    [
        ("either is fine", Visa.EITHER),
        ("either works for me", Visa.EITHER),
        ("both r ok", Visa.EITHER),
        ("whichever, no preference", Visa.EITHER),
        ("citizen", Visa.NONE),
        ("not needed", Visa.NONE),
    ],
)
def test_visa_replies_at_the_visa_prompt(nlp, reply, visa):
    assert read(nlp, reply, expected=Field.VISA).changes["visa"] == visa


# -- f. a failed CK with its score -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("failed CK with 210, can I retake?", 210),
        ("failed ck with a 209 can i retake", 209),
        ("ck 205 (fail) what now", 205),
        ("scored 211 on ck and failed. retake?", 211),
        ("flunked step 2 ck, got 207", 207),
    ],
)
def test_a_failed_ck_keeps_its_score(nlp, text, score):
    parsed = read(nlp, text)
    assert parsed.changes["step2"] == ExamStatus.FAILED
    assert parsed.changes["step2_score"] == score
    assert parsed.problems == ()


@pytest.mark.parametrize(
    "text",
    [
        "failed CK once (206) then got 229 on the second try",
        "failed ck once 209, passed the retake with 232",
        "ck fail 212 then 236 on 2nd attempt",
    ],
)
def test_a_fail_then_a_pass_keeps_the_passing_score(nlp, text):
    parsed = read(nlp, text)
    assert parsed.changes["step2"] == ExamStatus.FAILED_THEN_PASSED
    assert parsed.changes["step2_attempts"] == 2
    assert parsed.changes["step2_score"] in (229, 232, 236)


# -- USCE replies ----------------------------------------------------------------------------
@pytest.mark.parametrize("reply", ["none po", "nothing yet", "none so far 😕", "koi usce nahi"])
def test_no_usce_at_its_prompt(nlp, reply):
    assert read(nlp, reply, expected=Field.USCE).changes == {"usce_months": 0}


# -- a fail on the first attempt, a Step taken, a Step still ahead ---------------------------
@pytest.mark.parametrize(
    ("text", "exam"),
    [
        ("failed step 1 in october (1st attempt), what now", "step1"),
        ("s3 failed on my first try", "step3"),
        ("I flunked ck first attempt, 212", "step2"),
        ("just got ck result 211 i failed. s1 pass first go", "step2"),
    ],
)
def test_a_fail_on_the_first_attempt_is_not_passed_yet(nlp, text, exam):
    assert read(nlp, text).changes[exam] == ExamStatus.FAILED


@pytest.mark.parametrize(
    ("text", "exam", "expected"),
    [
        ("step 3 already done, going h1b", "step3", ExamStatus.PASSED),
        ("s1 done 2021, now prepping", "step1", ExamStatus.PASSED),
        ("CK given last week, result awaited", "step2", ExamStatus.PENDING),
        ("never taken step 3", "step3", ExamStatus.NOT_TAKEN),
    ],
)
def test_a_step_taken_without_its_result(nlp, text, exam, expected):
    assert read(nlp, text).changes[exam] == expected


def test_a_ck_taken_without_its_score_is_asked_for_it(nlp):
    assert "step2" not in read(nlp, "ck done").changes


def test_done_is_about_an_exam_only_next_to_one(nlp):
    # "done" with no exam in its clause is not carried to the exam of an earlier one.
    assert read(nlp, "ck 231. I have done 3 months obs in IM").changes["step2"] == (
        ExamStatus.PASSED
    )
    assert "step1" not in read(nlp, "I have done 2 months of electives").changes


def test_pass_fail_names_the_format_not_a_fail(nlp):
    assert read(nlp, "step 1 passed (pass/fail)").changes["step1"] == ExamStatus.PASSED
    assert read(nlp, "s1 cleared, it was P/F").changes["step1"] == ExamStatus.PASSED


@pytest.mark.parametrize(
    ("text", "exam"),
    [
        ("when is the best time to take CK before ERAS", "step2"),
        ("should I take step 3 before ranking", "step3"),
        ("preparing for step 1, 3 months left", "step1"),
        ("pls suggest resources, studying for ck", "step2"),
    ],
)
def test_a_step_still_ahead(nlp, text, exam):
    assert read(nlp, text).changes[exam] == ExamStatus.NOT_TAKEN


def test_a_step_still_ahead_keeps_what_else_is_said(nlp):
    assert read(nlp, "failed ck, should i retake ck or take step 3 first").changes == {
        "step2": ExamStatus.FAILED,
        "step3": ExamStatus.NOT_TAKEN,
    }


def test_every_step_untaken_even_when_steps_are_named(nlp):
    parsed = read(nlp, "haven't given any step yet (not S1, not CK, nothing)")
    assert set(status(parsed).values()) == {ExamStatus.NOT_TAKEN}
    assert len(status(parsed)) == 3


# -- time that is not US clinical experience ------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "6 months research fellowship in boston, no patient contact",
        "did 1 yr research in a US lab",
        "1 year house job in Mayo hospital",
        "research for 8 months at a US university",
        "gap of almost 2 years after internship",
        "should i postpone my application one year to get more usce?",
        "delaying ERAS 1 year, is it ok",
    ],
)
def test_research_jobs_and_delays_are_not_usce(nlp, text):
    parsed = read(nlp, text)
    assert "usce_months" not in parsed.changes
    assert not [u for u in parsed.unsure if "usce_months" in u.changes]


def test_usce_next_to_research_still_counts(nlp):
    parsed = read(nlp, "research for 6 months then 2 months externship in NY")
    assert parsed.changes["usce_months"] == 2


@pytest.mark.parametrize(
    "text",
    ["I have zero experience in USA", "no US clinical exposure yet", "no experience in the US"],
)
def test_no_experience_in_the_us_is_zero_usce(nlp, text):
    assert read(nlp, text).changes["usce_months"] == 0


def test_a_specialty_next_to_no_usce_is_the_one_applied_to(nlp):
    changes = read(nlp, "i want neurology and i have zero experience in USA").changes
    assert changes["specialty"] == "neurology" and "usce_specialty" not in changes


# -- fail-then-pass scores, recent fails, attempts ahead, hoped-for scores -------------------
def test_each_score_belongs_to_the_result_before_it(nlp):
    parsed = read(nlp, "failed ck first time with 205 then passed with 232")
    assert parsed.problems == ()
    assert parsed.changes["step2"] == ExamStatus.FAILED_THEN_PASSED
    assert parsed.changes["step2_score"] == 232


@pytest.mark.parametrize(
    "text",
    ["i failed S1 in august, what now", "just failed step 1 yesterday", "failed s1 last month"],
)
def test_a_recent_fail_is_not_passed_yet(nlp, text):
    assert read(nlp, text).changes["step1"] == ExamStatus.FAILED


def test_a_fail_long_ago_is_read_as_passed_since(nlp):
    # With nothing else said, an old fail on record is usually followed by a pass; the
    # read-back lets the user correct it.
    assert read(nlp, "failed step 1 in 2017").changes["step1"] == ExamStatus.FAILED_THEN_PASSED


def test_an_attempt_still_ahead_is_not_a_pass(nlp):
    changes = read(nlp, "S1 failed twice, 3rd attempt coming in jan").changes
    assert (changes["step1"], changes["step1_attempts"]) == (ExamStatus.FAILED, 2)


def test_a_fail_named_in_a_question_is_the_one_told(nlp):
    changes = read(nlp, "s1 passed 2016, ck 241. how do i explain a fail in interviews").changes
    assert changes["step1"] == ExamStatus.PASSED and changes["step2"] == ExamStatus.PASSED


def test_a_score_asked_about_before_ck_is_a_target(nlp):
    changes = read(nlp, "ck not given yet, nbme 231. is 240 enough for psych?").changes
    assert "step2_score" not in changes and changes["step2_practice"] == 231
    # With nothing saying CK is ahead, the number is the user's CK.
    assert read(nlp, "is 228 enough for IM?").changes["step2_score"] == 228


@pytest.mark.parametrize(
    ("text", "exam"),
    [("I have 4 months for CK, what resources", "step2"), ("6 weeks left till step 1", "step1")],
)
def test_time_left_for_an_exam_is_not_usce(nlp, text, exam):
    parsed = read(nlp, text)
    assert parsed.changes[exam] == ExamStatus.NOT_TAKEN
    assert "usce_months" not in parsed.changes and parsed.unsure == ()


def test_step1_approved(nlp):
    assert read(nlp, "Step 1 approved, CK 238").changes["step1"] == ExamStatus.PASSED


# -- corrections of a year, months in relative dates, lists, specialties asked about --------
def test_a_corrected_year_repeated_later_is_not_the_graduation(nlp):
    parsed = read(nlp, "sorry yog is 2015 not 2020, 2020 is when i finished my service")
    assert parsed.changes["graduation_year"] == 2015


@pytest.mark.parametrize(
    ("text", "year"),
    [("graduated in may last year", 2025), ("passed out in nov this year", 2026)],
)
def test_a_month_inside_a_relative_graduation_date(nlp, text, year):
    assert read(nlp, text).changes["graduation_year"] == year


def test_lowercase_im_in_a_comma_list_of_facts(nlp):
    assert read(nlp, "s1 pass ck 241, im, j1").changes["specialty"] == "internal_medicine"
    assert "specialty" not in read(nlp, "ok, im going to apply in 2027").changes


@pytest.mark.parametrize(
    ("text", "specialty"),
    [
        ("I want psych but is neuro safer for me?", "psychiatry"),
        ("want anesthesia, should i also apply prelim IM", "anesthesiology"),
        ("IM or FM, which is better for me?", "family_medicine"),
    ],
)
def test_the_specialty_stated_beats_one_asked_about(nlp, text, specialty):
    assert read(nlp, text).changes["specialty"] == specialty


def test_a_count_of_something_else_is_not_exam_attempts(nlp):
    changes = read(nlp, "Unmatched twice in IM. S1 pass, CK 226").changes
    assert changes["step1"] == ExamStatus.PASSED and "step1_attempts" not in changes


@pytest.mark.parametrize(
    ("text", "visa"),
    [("visa either works. is PMR ok?", Visa.EITHER), ("visa: not needed, gc", Visa.NONE)],
)
def test_the_word_visa_then_a_reply(nlp, text, visa):
    assert read(nlp, text).changes["visa"] == visa


# -- guards: what the new readings must leave alone ------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("failed step 1 in march 2019", {"step1": ExamStatus.FAILED_THEN_PASSED}),
        (
            "failed S1 just once then passed",
            {"step1": ExamStatus.FAILED_THEN_PASSED, "step1_attempts": 2},
        ),
        (
            "s1 passed on 2nd attempt in 2019",
            {"step1": ExamStatus.FAILED_THEN_PASSED, "step1_attempts": 2},
        ),
        ("what should be done for step 3?", {}),
    ],
)
def test_old_fails_and_questions_keep_their_reading(nlp, text, expected):
    changes = read(nlp, text).changes
    assert {k: changes[k] for k in expected} == expected
    assert "step3" not in changes or "step3" in expected


@pytest.mark.parametrize(
    ("text", "ahead"),
    [
        ("i have given step 1 only, ck and step 3 left", ("step2", "step3")),
        ("s1 done, ck left", ("step2",)),
        ("CK/step3 still to do", ("step2", "step3")),
        ("step 3 remaining, ck 240", ("step3",)),
    ],
)
def test_steps_left(nlp, text, ahead):
    changes = read(nlp, text).changes
    assert [changes[exam] for exam in ahead] == [ExamStatus.NOT_TAKEN] * len(ahead)
    assert changes.get("step1") in (None, ExamStatus.PASSED)


@pytest.mark.parametrize(
    "text",
    ["chances for fm, ck 223 s1 fail", "how many programs with ck 225 and a step 1 fail"],
)
def test_a_fail_of_another_step_leaves_the_ck_score_alone(nlp, text):
    changes = read(nlp, text).changes
    assert changes["step2"] == ExamStatus.PASSED
    assert changes["step1"] == ExamStatus.FAILED_THEN_PASSED


def test_a_question_after_a_filler_word_names_no_new_fail(nlp):
    changes = read(nlp, "step 3 also passed. also how i explain the fail in interview").changes
    assert changes == {"step3": ExamStatus.PASSED}
