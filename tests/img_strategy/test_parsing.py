"""The one free-text parser: single values and whole messages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from img_strategy import ExamStatus, Field, UsceKind, Visa
from img_strategy.parsing import (
    Label,
    Mention,
    ParseError,
    Reading,
    asks_something,
    facts_from_mentions,
    joins_options,
    parse_attempts,
    parse_months,
    parse_number,
    parse_score,
    parse_specialty,
    parse_visa,
    parse_year,
    parse_years_ago,
    question_spans,
    refers_back,
    sentence_start,
    weighs_options,
)
from tests.img_nlp.support import mentions, read
from tests.img_strategy.support import TODAY


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("235", 235),
        ("two thirty five", 235),
        ("two hundred and thirty-five", 235),
        ("two forty", 240),
        ("Two Fifty", 250),
        ("six", 6),
        ("228", 228),
    ],
)
def test_numbers_in_digits_and_words(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(("text", "reason"), [("235.5", "decimal"), ("-5", "negative")])
def test_decimals_and_negatives_are_refused(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_number(text)


def test_scores_outside_the_scale_are_refused():
    with pytest.raises(ParseError):
        parse_score("350")
    with pytest.raises(ParseError):
        parse_score("0")


@pytest.mark.parametrize(
    ("text", "value"),
    [("once", 1), ("twice", 2), ("2 attempts", 2), ("second attempt", 2), ("three times", 3)],
)
def test_attempts(text, value):
    assert parse_attempts(text) == value


@pytest.mark.parametrize(
    ("text", "visa"),
    [
        ("J1", Visa.J1),
        ("j-1", Visa.J1),
        ("j one", Visa.J1),
        ("H1B", Visa.H1B),
        ("H-1B", Visa.H1B),
        ("green card", Visa.NONE),
        ("US citizen", Visa.NONE),
        ("j1 or h1b", Visa.EITHER),
    ],
)
def test_visas(text, visa):
    assert parse_visa(text) == visa


@pytest.mark.parametrize(
    ("text", "specialty"),
    [
        ("peds", "pediatrics"),
        ("Paeds", "pediatrics"),
        ("IM", "internal_medicine"),
        ("im", "internal_medicine"),
        ("gen surg", "general_surgery"),
        ("OB/GYN", "obstetrics_gynecology"),
        ("derm", "dermatology"),
        ("rads", "radiology"),
        ("psych", "psychiatry"),
    ],
)
def test_specialties(text, specialty):
    assert parse_specialty(text) == specialty


def test_years_and_durations():
    assert parse_year("2019") == 2019
    assert parse_year("'19") == 2019
    assert parse_years_ago("6 years ago") == 6
    assert parse_years_ago("six yrs back") == 6
    assert parse_months("3 months") == 3
    assert parse_months("6 weeks") == 1
    assert parse_months("1 year") == 12
    assert parse_months("a month") == 1


def mention(text: str, label: Label, haystack: str) -> Mention:
    start = haystack.index(text)
    return Mention(label, text, start, start + len(text))


def parse(message: str, spans: list[tuple[str, Label]], expected: Field | None = None):
    return facts_from_mentions(
        message,
        [mention(t, label, message) for t, label in spans],
        today=TODAY,
        expected=expected,
    )


def test_whatsapp_style_message_pairs_each_value_with_its_exam():
    msg = "failed S1 once, CK 228, need J1, peds?"
    facts = parse(
        msg,
        [
            ("failed", Label.RESULT),
            ("S1", Label.EXAM),
            ("once", Label.ATTEMPTS),
            ("CK", Label.EXAM),
            ("228", Label.SCORE),
            ("J1", Label.VISA),
            ("peds", Label.SPECIALTY),
        ],
    )
    assert facts.changes == {
        "visa": Visa.J1,
        "specialty": "pediatrics",
        "step1": ExamStatus.FAILED_THEN_PASSED,
        "step1_attempts": 2,
        "step2": ExamStatus.PASSED,
        "step2_score": 228,
    }
    assert facts.problems == ()


def test_correction_keeps_the_new_value():
    msg = "sorry my CK is 241 not 231"
    facts = parse(msg, [("CK", Label.EXAM), ("241", Label.SCORE), ("231", Label.SCORE)])
    assert facts.changes["step2_score"] == 241


def test_two_different_scores_for_one_exam_are_a_problem():
    msg = "ck 230, 240"
    facts = parse(msg, [("ck", Label.EXAM), ("230", Label.SCORE), ("240", Label.SCORE)])
    assert "step2_score" not in facts.changes
    assert facts.problems[0].code == "conflicting_scores"


def test_ck_below_passing_is_a_fail_not_a_score():
    # Under every pass mark there has been (209 before 1 July 2022); 214-217 passed before
    # 1 July 2025 and is kept as a score (#19 item 1: this used 210, a pass before July 2022).
    facts = parse("ck 205", [("ck", Label.EXAM), ("205", Label.SCORE)])
    assert "step2_score" not in facts.changes
    assert facts.changes["step2"] == ExamStatus.FAILED
    assert facts.problems[0].code == "ck_below_passing"


def test_numeric_step1_after_pass_fail_date_is_refused():
    msg = "took step 1 in 2023 and got 230"
    facts = parse(msg, [("step 1", Label.EXAM), ("2023", Label.GRAD_YEAR), ("230", Label.SCORE)])
    assert "step1_score" not in facts.changes
    assert facts.problems[0].code == "step1_score_after_pf"


def test_graduation_years_future_and_implausible():
    assert parse("graduated 2031", [("2031", Label.GRAD_YEAR)]).problems[0].code == (
        "grad_year_future"
    )
    assert parse("graduated 1960", [("1960", Label.GRAD_YEAR)]).problems[0].code == (
        "grad_year_too_old"
    )
    assert parse("i graduated 6 years ago", [("6 years ago", Label.YEARS_AGO)]).changes == {
        "graduation_year": 2020
    }


def test_usce_duration_kind_and_specialty():
    msg = "3 months observership in IM, applying peds"
    facts = parse(
        msg,
        [
            ("3 months", Label.DURATION),
            ("observership", Label.USCE_TYPE),
            ("IM", Label.SPECIALTY),
            ("peds", Label.SPECIALTY),
        ],
    )
    assert facts.changes["usce_months"] == 3
    assert facts.changes["usce_kind"] == UsceKind.OBSERVERSHIP
    assert facts.changes["usce_specialty"] == "internal_medicine"
    assert facts.changes["specialty"] == "pediatrics"


def test_bare_answers_to_the_question_asked():
    assert parse("228", [], expected=Field.STEP2).changes["step2_score"] == 228
    assert parse("two thirty", [], expected=Field.STEP2).changes["step2_score"] == 230
    assert parse("none", [], expected=Field.USCE).changes == {"usce_months": 0}
    assert parse("235.5", [], expected=Field.STEP2).problems[0].code == "score_not_whole"
    practice = parse("226", [], expected=Field.STEP2_PRACTICE).changes
    assert practice["step2_practice"] == 226


def test_not_taken_and_practice_scores():
    msg = "not taken ck yet, nbme 225"
    facts = parse(
        msg,
        [
            ("not taken", Label.RESULT),
            ("ck", Label.EXAM),
            ("nbme", Label.EXAM),
            ("225", Label.SCORE),
        ],
    )
    assert facts.changes["step2"] == ExamStatus.NOT_TAKEN
    assert facts.changes["step2_practice"] == 225


def test_past_tense_is_not_a_correction():
    msg = "my ck was 245"
    facts = parse(msg, [("ck", Label.EXAM), ("245", Label.SCORE)])
    assert facts.changes["step2_score"] == 245


def test_a_score_binds_to_the_exam_in_its_own_clause():
    msg = "is 228 enough for IM? passed s1 first attempt"
    facts = parse(
        msg,
        [
            ("228", Label.SCORE),
            ("IM", Label.SPECIALTY),
            ("passed", Label.RESULT),
            ("s1", Label.EXAM),
            ("first attempt", Label.RESULT),
        ],
    )
    assert facts.changes["step2_score"] == 228
    assert "step1_score" not in facts.changes
    assert facts.changes["step1"] == ExamStatus.PASSED


# --------------------------------------------------------------------------------------------
# Whole messages as people type them, read through the real spaCy pipeline (built from the
# same vocabulary.yml), so each mechanism is tested with the mentions it really gets.


@pytest.fixture(scope="module")
def nlp():
    from img_nlp.build import build_pipeline

    return build_pipeline()


def changes(nlp, text: str, expected: Field | None = None) -> dict:
    return {k: getattr(v, "value", v) for k, v in read(nlp, text, expected).changes.items()}


# -- negation and contrast --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "visa"),
    [
        ("I need H1B not J1", "h1b"),
        ("h1b only, not j1", "h1b"),
        ("J1 not H1B bro", "j1"),
        ("i want j-1 rather than h-1b", "j1"),
        ("dont want J1, looking for H1b only", "h1b"),
        ("Should I go for J-1 or H-1B?", "either"),
    ],
)
def test_a_negated_visa_is_not_the_one_needed(nlp, text, visa):
    assert changes(nlp, text)["visa"] == visa


@pytest.mark.parametrize(
    "text",
    [
        "I never failed step 1",
        "never failed S1 alhamdulillah",
        "i did not fail step 1",
        "no fails in step 1",
        "Step 1 - never failed, cleared in one go",
    ],
)
def test_a_negated_fail_is_a_first_attempt_pass(nlp, text):
    facts = changes(nlp, text)
    assert facts["step1"] == "passed"
    assert "step1_attempts" not in facts or facts["step1_attempts"] == 1


def test_a_negated_pass_is_a_fail(nlp):
    assert changes(nlp, "I didn't pass step 2 ck")["step2"] == "failed"


@pytest.mark.parametrize(
    "text",
    ["zero USCE", "no usce", "0 USCE sir", "I don't have any US clinical experience", "nil usce"],
)
def test_no_usce_is_zero_months(nlp, text):
    assert changes(nlp, text)["usce_months"] == 0


def test_a_negated_kind_next_to_real_months_keeps_the_months(nlp):
    facts = changes(nlp, "no observership but 2 months of electives in IM")
    assert facts["usce_months"] == 2
    assert facts["usce_kind"] == "hands_on"


def test_not_sure_is_not_a_negation(nlp):
    assert changes(nlp, "not sure if J1 or H1B")["visa"] == "either"


# -- corrections ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("sorry yog is 2016 not 2021", "graduation_year", 2016),
        ("graduated 2021... sorry i mean 2019", "graduation_year", 2019),
        ("ck 228 sorry 238", "step2_score", 238),
        ("CK 245, oops typo, 243", "step2_score", 243),
        ("wait I meant 238", "step2_score", 238),
        ("peds not FM", "specialty", "pediatrics"),
    ],
)
def test_a_correction_keeps_the_new_value(nlp, text, field, value):
    facts = read(nlp, text)
    assert facts.changes[field] == value
    assert facts.problems == ()


# -- dates and durations bound to their event ---------------------------------------------------


def test_a_year_next_to_an_exam_is_not_the_graduation_year(nlp):
    facts = changes(nlp, "I took step 1 in 2021 and got a 205")
    assert "graduation_year" not in facts
    assert facts["step1_score"] == 205


def test_graduation_and_exam_years_in_one_message(nlp):
    facts = changes(nlp, "graduated 2019 from KEMU, gave step 1 in 2021 (pass), ck 231")
    assert facts["graduation_year"] == 2019
    assert facts["step1"] == "passed"
    assert facts["step2_score"] == 231


@pytest.mark.parametrize(
    "text",
    ["CK in two weeks", "my ck exam is in 3 weeks", "step 2 ck 10 days later", "ck in 2 months"],
)
def test_an_exam_ahead_is_not_usce(nlp, text):
    facts = changes(nlp, text)
    assert "usce_months" not in facts
    assert facts.get("step2") in (None, "not_taken")


def test_exam_in_weeks_without_a_named_exam_stores_nothing(nlp):
    assert changes(nlp, "exam in 3 weeks, so nervous") == {}


@pytest.mark.parametrize(
    "text",
    [
        "6-month gap in my CV",
        "I have a 2 year gap after internship",
        "im 46 years old",
        "I am 34 yrs old, is age an issue",
        "studied 8 months for ck",
        "6 months of dedicated prep",
    ],
)
def test_gaps_ages_and_study_time_are_not_usce(nlp, text):
    facts = read(nlp, text)
    assert "usce_months" not in facts.changes
    assert facts.unsure == ()


@pytest.mark.parametrize(
    ("text", "months"), [("6 weeks of USCE", 1.5), ("2 wks observership", 0.5)]
)
def test_weeks_count_to_the_half_month(nlp, text, months):
    assert changes(nlp, text)["usce_months"] == months


@pytest.mark.parametrize(
    "text",
    [
        "my score comes out in October",
        "gave CK last week, result awaited... waiting for the score",
        "ck result pending",
        "Step 2 CK taken, score out on 15th Dec",
    ],
)
def test_a_score_still_to_come_means_taken_and_pending(nlp, text):
    facts = changes(nlp, text)
    assert facts["step2"] == "pending"
    assert "step2_score" not in facts


# -- practice scores, retakes, med school -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "NBME 205, 208, 212",
        "my nbme scores are 205, 208, 212 and ck is in 2 weeks",
        "uwsa1 200 uwsa2 212",
        "NBMEs: 205,208,212. not taken CK yet",
    ],
)
def test_practice_scores_keep_the_latest_as_estimate(nlp, text):
    facts = read(nlp, text)
    assert facts.changes["step2_practice"] == 212
    assert "step2_score" not in facts.changes
    assert facts.problems == ()


def test_fail_then_retake_keeps_both_attempts_apart(nlp):
    facts = read(nlp, "failed CK once (209), passed the retake with 232")
    assert facts.changes["step2"] == ExamStatus.FAILED_THEN_PASSED
    assert facts.changes["step2_score"] == 232
    assert facts.changes["step2_attempts"] == 2
    assert facts.problems == ()


def test_a_fail_with_a_retake_question_is_not_yet_passed(nlp):
    assert changes(nlp, "I failed step 2 ck, can I retake?")["step2"] == "failed"
    assert changes(nlp, "failed S1 once, CK 228")["step1"] == "failed_then_passed"


@pytest.mark.parametrize(
    "text",
    [
        "failed a year in med school",
        "I failed a year in med school but passed step 1 first attempt",
        "failed one subject in 3rd prof, step 1 cleared",
    ],
)
def test_a_med_school_fail_is_not_a_step_fail(nlp, text):
    facts = changes(nlp, text)
    assert facts.get("step1") in (None, "passed")


def test_legacy_step1_score_with_percentile(nlp):
    facts = changes(nlp, "259/99 on Step I, graduated 2011")
    assert facts["step1_score"] == 259
    assert facts["graduation_year"] == 2011


# -- graduation: future years, relative words ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("I will graduate in 2028", 2028),
        ("fresh grad from Nigeria", 2026),
        ("I graduated this year", 2026),
        ("passed out last year from AIIMS", 2025),
        ("0 YOG, IMG from Egypt", 2026),
        ("graduated 6 years ago", 2020),
        ("graduating next year insha allah", 2027),
    ],
)
def test_graduation_dates_in_every_form(nlp, text, year):
    assert changes(nlp, text)["graduation_year"] == year


@pytest.mark.parametrize(("text", "year"), [("this year", 2026), ("last year", 2025)])
def test_relative_years_answer_the_graduation_prompt(text, year):
    assert parse(text, [], expected=Field.GRADUATION_YEAR).changes == {"graduation_year": year}


def test_a_graduation_year_too_far_ahead_is_refused():
    facts = parse("graduating in 2035", [("2035", Label.GRAD_YEAR)])
    assert facts.problems[0].code == "grad_year_future"


# -- observership ---------------------------------------------------------------------------


def test_observership_months_are_never_hands_on(nlp):
    facts = changes(nlp, "is observership counted as USCE? I have 3 months obs")
    assert facts == {"usce_months": 3, "usce_kind": "observership"}


def test_hands_on_and_observership_months_are_kept_apart(nlp):
    facts = changes(nlp, "1 month observership and 2 months externship in FM")
    assert facts["usce_months"] == 2
    assert facts["usce_kind"] == "hands_on"


def test_obs_gyn_is_a_specialty_not_an_observership(nlp):
    assert changes(nlp, "applying obs & gynae") == {"specialty": "obstetrics_gynecology"}


# -- unsure readings are asked, never guessed -------------------------------------------------


def test_a_duration_with_no_event_is_unsure(nlp):
    facts = read(nlp, "I have 4 months, is that enough?")
    assert "usce_months" not in facts.changes
    assert [(u.reading, u.changes) for u in facts.unsure] == [
        (Reading.USCE_MONTHS, {"usce_months": 4})
    ]


def test_a_duration_answering_the_usce_prompt_is_sure(nlp):
    assert changes(nlp, "4 months", expected=Field.USCE) == {"usce_months": 4}


def test_a_year_with_no_event_is_unsure(nlp):
    facts = read(nlp, "2019, j1")
    assert "graduation_year" not in facts.changes
    assert facts.unsure[0].changes == {"graduation_year": 2019}
    assert changes(nlp, "2019", expected=Field.GRADUATION_YEAR) == {"graduation_year": 2019}


def test_a_year_of_another_event_is_not_stored_nor_asked(nlp):
    facts = read(nlp, "came to the US in 2019 on a dependent visa")
    assert "graduation_year" not in facts.changes
    assert facts.unsure == ()


# -- the same mechanisms over generated values ------------------------------------------------

VISA_WORDS = {Visa.J1: ["J1", "j-1", "J-1 visa"], Visa.H1B: ["H1B", "h-1b", "H1b visa"]}
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(
    needed=st.sampled_from([Visa.J1, Visa.H1B]),
    data=st.data(),
    joint=st.sampled_from(
        ["{a} not {b}", "{a}, not {b}", "need {a} not {b}", "{a} rather than {b}"]
    ),
)
def test_property_the_negated_visa_never_wins(nlp, needed, data, joint):
    other = Visa.H1B if needed == Visa.J1 else Visa.J1
    text = joint.format(
        a=data.draw(st.sampled_from(VISA_WORDS[needed])),
        b=data.draw(st.sampled_from(VISA_WORDS[other])),
    )
    assert read(nlp, text).changes["visa"] == needed


@PROPS
@given(
    new=st.integers(1990, 2026),
    old=st.integers(1990, 2026),
    form=st.sampled_from(["yog is {new} not {old}", "graduated {old}, sorry i meant {new}"]),
)
def test_property_a_corrected_year_keeps_the_new_one(nlp, new, old, form):
    assert read(nlp, form.format(new=new, old=old)).changes["graduation_year"] == new


@PROPS
@given(weeks=st.integers(1, 52))
def test_property_weeks_are_months_to_the_half(nlp, weeks):
    months = read(nlp, f"{weeks} weeks of USCE").changes["usce_months"]
    assert abs(months - weeks / 4) <= 0.25
    assert months * 2 == int(months * 2)


@PROPS
@given(
    practice=st.lists(st.integers(150, 280), min_size=2, max_size=5),
    exam=st.sampled_from(["NBME", "uwsa", "my nbmes were", "NBME scores:"]),
)
def test_property_practice_lists_keep_the_latest(nlp, practice, exam):
    facts = read(nlp, f"{exam} {', '.join(map(str, practice))}")
    assert facts.changes["step2_practice"] == practice[-1]
    assert "step2_score" not in facts.changes


@PROPS
@given(
    years=st.integers(1, 40),
    exam=st.sampled_from(["ck", "step 2 ck", "my exam", "step 1"]),
    unit=st.sampled_from(["weeks", "months", "days"]),
)
def test_property_an_exam_ahead_is_never_usce(nlp, years, exam, unit):
    assert "usce_months" not in read(nlp, f"{exam} in {years} {unit}").changes


def test_a_duration_in_a_message_about_usce_is_usce(nlp):
    facts = changes(nlp, "is observership enough? i have 2 months")
    assert facts == {"usce_months": 2, "usce_kind": "observership"}


def test_a_match_year_is_read_and_never_taken_for_a_graduation_year():
    from img_strategy.parsing import match_year

    assert match_year("plan for 2028 match") == 2028
    assert match_year("i want the match of 2029, make me a plan") == 2029
    assert match_year("timeline for the 2027 cycle pls") == 2027
    assert match_year("graduated 2019, what should i do now") is None
    text = "graduated 2019, plan for 2028 match"
    facts = parse(text, [("2019", Label.GRAD_YEAR), ("2028", Label.GRAD_YEAR)])
    assert facts.changes.get("graduation_year") == 2019
    facts = parse("match in 2029 please", [("2029", Label.GRAD_YEAR)])
    assert "graduation_year" not in facts.changes


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("make me a plan for the 2029 match", 2029),
        ("plan for 2029 match", 2029),
        ("timeline till 2029 match", 2029),
        ("plan for 2029 match pls, passed s1 first try, ck not taken yet", 2029),
        ("make me a plan", None),
    ],
)
def test_the_match_a_plan_asks_for_is_part_of_what_was_asked(nlp, text, year):
    from img_strategy.parsing import asked_from_mentions

    asked = asked_from_mentions(text, mentions(nlp, text))
    assert asked.match_year == year
    assert "graduation_year" not in read(nlp, text).changes


def test_ck_214_to_217_is_kept_for_the_engine_to_read_by_date():
    facts = parse("ck 216", [("ck", Label.EXAM), ("216", Label.SCORE)])
    assert facts.changes["step2_score"] == 216
    assert not facts.problems


@pytest.mark.parametrize("text", ["not yet", "haven't taken it yet", "no not yet"])
def test_not_yet_at_an_exam_prompt_is_about_that_exam(nlp, text):
    assert changes(nlp, text, expected=Field.STEP2)["step2"] == "not_taken"


# -- Step 2 CK dates (TODAY is 23 November 2026) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("my CK is on 15 March 2027", date(2027, 3, 15)),
        ("CK on March 15, 2027", date(2027, 3, 15)),
        ("ck exam date: 03/2027", date(2027, 3, 1)),
        ("ck on 2027-03-15", date(2027, 3, 15)),
        ("ck on 15/03/2027", date(2027, 3, 15)),  # a day over 12 fixes the order
        ("ck on 03/15/2027", date(2027, 3, 15)),
        ("sitting ck in march", date(2027, 3, 1)),  # no year, nothing taken: the next March
        ("i may take ck in may", date(2027, 5, 1)),  # the verb "may" is not a month
    ],
)
def test_a_ck_date_ahead_is_a_booked_exam(nlp, text, day):
    facts = read(nlp, text).changes
    assert facts["step2_date"] == day
    assert facts["step2"] == ExamStatus.NOT_TAKEN
    assert "graduation_year" not in facts  # the year belongs to the date


def test_a_ck_date_decides_the_pass_mark_of_214_to_217(nlp):
    # F3/F4: 214 until 30 June 2025, 218 from 1 July 2025.
    before = read(nlp, "ck 216 in june 2025").changes
    assert before["step2_date"] == date(2025, 6, 1) and before["step2_score"] == 216
    after = read(nlp, "ck 216, taken in august 2025")
    assert after.changes["step2"] == ExamStatus.FAILED and "step2_score" not in after.changes
    assert [p.code for p in after.problems] == ["ck_below_passing_on_date"]
    # A month with no year and a score beside it is the last such month.
    assert read(nlp, "took ck in march, 216").changes["step2_date"] == date(2026, 3, 1)


def test_an_unclear_numeric_date_is_asked_back_never_guessed(nlp):
    # 03/04/2027 is 3 April in most countries and March 4 in the US.
    facts = read(nlp, "ck on 03/04/2027")
    assert "step2_date" not in facts.changes
    assert [(p.code, p.value) for p in facts.problems] == [("date_unclear", "03/04/2027")]
    assert [p.code for p in read(nlp, "ck on 31/02/2027").problems] == ["date_unclear"]
    assert [p.code for p in read(nlp, "ck in march 2099").problems] == ["date_out_of_range"]


def test_dates_of_other_events_are_not_ck_dates(nlp):
    assert "step2_date" not in read(nlp, "graduated march 2019, ck 240").changes
    assert "step2_date" not in read(nlp, "step 1 in june 2021, ck 240").changes
    # A bare date answers the bot's CK question.
    assert read(nlp, "june 2025", expected=Field.STEP2).changes == {"step2_date": date(2025, 6, 1)}


@pytest.mark.parametrize(
    "text",
    [
        "passed s1, ck 241, which programs sponsor h1b",
        "yog 2016 ck 229 is it too late for IM",
        "make me a timeline. step 1 cleared first go",
        "kindly guide, failed ck once then 231",
        "pls suggest how many programs, FM, j1",
        "ck 244, can u tell me my odds for neuro",
        "no usce yet. what should i do first?",
    ],
)
def test_a_question_or_request_is_found_without_its_question_mark(text):
    assert asks_something(text)


@pytest.mark.parametrize(
    "text",
    [
        "s1 pass, ck 236, j1, graduated 2019",
        "pls note my ck is 230 not 220",
        "need h1b not j1, 3 months usce in IM",
        "planning to take CK in march",
    ],
)
def test_facts_alone_ask_nothing(text):
    assert not asks_something(text)


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        # facts around a question are left out
        (
            "s1 pass ck 241 yog 2023 need j1. what are my chances for IM and how many "
            "programs should i apply to",
            ["what are my chances for IM", "and how many programs should i apply to"],
        ),
        (
            "is my age a problem? and is YOG 2015 too old",
            ["is my age a problem", "and is YOG 2015 too old"],
        ),
        (
            "can i match gen surg or should i go prelim first",
            ["can i match gen surg", "or should i go prelim first"],
        ),
        # a short lead-in cut off by a comma names what is weighed
        (
            "J1 or H1B, which is better for me long term?",
            ["J1 or H1B, which is better for me long term"],
        ),
        ("make me a timeline. step 1 cleared first go", ["make me a timeline"]),
        ("yog 2016 ck 229 is it too late for IM", ["yog 2016 ck 229 is it too late for IM"]),
        # one question with "and" inside it is not cut
        (
            "how many signals for neuro and where to send them?",
            ["how many signals for neuro and where to send them"],
        ),
        ("s1 pass, ck 236, j1, graduated 2019", []),
    ],
)
def test_each_question_of_a_message_is_found_apart_from_the_facts(text, questions):
    assert [text[s.start : s.end] for s in question_spans(text)] == questions


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        # a conjunction or a filler word before the question word still opens a question
        (
            "ck 233 any chance for peds or will my 2 attempts kill it",
            ["ck 233 any chance for peds", "or will my 2 attempts kill it"],
        ),
        (
            "should i do an externship first? and frankly whats my chance in IM",
            ["should i do an externship first", "and frankly whats my chance in IM"],
        ),
        # pidgin and Hinglish question words
        ("ck don pass 224 or wetin i fit do next", ["or wetin i fit do next"]),
        # an indirect question asks too
        (
            "salam all. i need to know if a 2 year gap will hurt me. ck 229",
            ["i need to know if a 2 year gap will hurt me"],
        ),
    ],
)
def test_questions_behind_conjunctions_fillers_and_indirect_words_are_found(text, questions):
    assert [text[s.start : s.end] for s in question_spans(text)] == questions


@pytest.mark.parametrize(
    "text",
    [
        "how far my people",
        "Good morning sir, how are you?",
        "hello doctors hope you are well",
        "how you dey boss",
    ],
)
def test_a_greeting_is_not_a_question(text):
    assert not asks_something(text)


def test_a_greeting_before_a_question_leaves_only_the_question():
    text = "How far sir. ck 231. which visa should i pick"
    assert [text[s.start : s.end] for s in question_spans(text)] == ["which visa should i pick"]


def test_a_how_question_that_is_not_a_greeting_is_kept():
    assert asks_something("how far back can my yog be for IM")


@pytest.mark.parametrize(
    ("text", "weighs"),
    [
        ("which one is safer for me", True),
        ("neuro vs psych for a 2021 grad", True),
        ("kisme chances zyada hai", True),
        ("what are my chances in FM", False),
        ("how many programs for IM", False),
    ],
)
def test_a_question_weighing_options_is_told_apart(text, weighs):
    assert weighs_options(text) is weighs


@pytest.mark.parametrize(
    ("text", "refers"),
    [("does that hurt my chances", True), ("is it a problem", True), ("can i match FM", False)],
)
def test_a_question_pointing_back_is_told_apart(text, refers):
    assert refers_back(text) is refers


@pytest.mark.parametrize(
    ("between", "joins"),
    [
        (" or ", True),
        (" OR ", True),
        ("/", True),
        (" / ", True),
        (" vs ", True),
        (" vs. ", True),
        (" Versus ", True),
        ("", False),
        (" and ", False),
        (", ", False),
        (" or maybe ", False),
        (" vs/ ", False),
        ("vsx", False),
    ],
)
def test_only_a_word_of_choice_alone_between_two_values_joins_them_as_options(between, joins):
    assert joins_options(between) is joins


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("ck 231. which one", "which one"),
        ("ck 231? which one", "which one"),
        ("ck 231! which one", "which one"),
        ("ck 231.\nwhich one", "which one"),
        ("ck 231\n\nwhich one", "which one"),
        ("ck 231. yog 2019. which one", "which one"),
        ("ck 231\nwhich one", "ck 231\nwhich one"),  # one line break: the same sentence
        ("which one", "which one"),
    ],
)
def test_a_sentence_starts_after_the_last_mark_and_space_before_it(text, sentence):
    assert text[sentence_start(text, text.index("one")) :] == sentence


# -- Step 3 is not needed to apply: its fail is not presumed made good -----------------------


@pytest.mark.parametrize(
    "text",
    [
        "s3 flunked last year in 2024, CK 233",
        "unmatched once. usmle 3 failed 1 time in 2023",
        "step three - fail",
    ],
)
def test_a_step3_fail_with_nothing_more_is_a_fail(nlp, text):
    assert changes(nlp, text)["step3"] == "failed"


def test_a_step1_fail_with_nothing_more_is_still_presumed_passed_since(nlp):
    # Step 1 is needed for ECFMG certification: someone applying has passed it since.
    assert changes(nlp, "s1 flunked in 2020, ck 241")["step1"] == "failed_then_passed"


def test_a_step3_fail_then_pass_is_read_as_said(nlp):
    assert changes(nlp, "step 3: failed first, cleared it on the retake")["step3"] == (
        "failed_then_passed"
    )


# -- a length of time done more than once --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months", "kind"),
    [
        ("did three observerships, one month each, in NJ", 3, "observership"),
        ("2 electives (4 wks each) in FM", 2, "hands_on"),
        ("two 6-week externships in IM", 3, "hands_on"),
        ("3 x 1 month obs in peds", 3, "observership"),
        ("observership 4 weeks each at 2 hospitals", 2, "observership"),
    ],
)
def test_a_duration_done_n_times_is_multiplied(nlp, text, months, kind):
    facts = changes(nlp, text)
    assert facts["usce_months"] == months
    assert facts["usce_kind"] == kind


@pytest.mark.parametrize("text", ["ck 236 2 months usce", "step 2 ck 231, 3 months observership"])
def test_a_score_before_a_duration_is_no_count(nlp, text):
    assert changes(nlp, text)["usce_months"] in (2, 3)


# -- graduation: finishing the internship, and words of finishing next to an exam ---------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("completed my internship last year from KMC Manipal", 2025),
        ("internship done in 2024, s1 pass", 2024),
        ("finished internship this year, ck not yet", 2026),
    ],
)
def test_the_end_of_the_internship_is_asked_as_the_graduation_year(nlp, text, year):
    # Graduating in South Asia, a year before it in Egypt: asked, never guessed.
    facts = read(nlp, text)
    assert "graduation_year" not in facts.changes
    assert [(u.reading, u.changes) for u in facts.unsure] == [
        (Reading.GRADUATION_YEAR, {"graduation_year": year})
    ]


def test_a_graduation_year_given_beside_the_internship_is_the_one(nlp):
    facts = read(nlp, "graduated from Mansoura 2019, internship done 2020, ck 238")
    assert facts.changes["graduation_year"] == 2019
    assert facts.unsure == ()
    at_prompt = read(nlp, "finished internship 2021", Field.GRADUATION_YEAR)
    assert at_prompt.changes["graduation_year"] == 2021


@pytest.mark.parametrize(
    "text", ["completed step 1 in 2022", "finished s1 in 2022 (pass), yog 2019"]
)
def test_a_word_of_finishing_before_an_exam_is_about_the_exam(nlp, text):
    facts = changes(nlp, text)
    assert facts.get("graduation_year") in (None, 2019)
    assert facts["step1"] == "passed"


# -- a specialty weighed as a way out is not the aim ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "is IM a safer option for me?",
        "what about peds as a backup",
        "should i switch to psych?",
    ],
)
def test_a_specialty_asked_as_an_alternative_is_not_stored(nlp, text):
    assert "specialty" not in changes(nlp, text)


def test_a_stated_aim_next_to_an_alternative_is_kept(nlp):
    assert changes(nlp, "aiming neuro. is IM a good backup?")["specialty"] == "neurology"
    facts = changes(nlp, "if derm doesnt work out, should i do FM instead?")
    assert facts["specialty"] == "dermatology"
    assert changes(nlp, "im switching to FM now")["specialty"] == "family_medicine"
    # At the specialty prompt the field named is the answer.
    assert changes(nlp, "FM as a backup", Field.SPECIALTY)["specialty"] == "family_medicine"


# -- a corrected score mends the earlier score, not the prompt's fact ------------------------------


@pytest.mark.parametrize("expected", [Field.STEP1, Field.STEP3, None])
def test_a_corrected_score_without_its_exam_is_the_ck(nlp, expected):
    facts = changes(nlp, "oops typo, it's 234 not 224", expected)
    assert facts["step2_score"] == 234
    assert "step1_score" not in facts and "step3" not in facts


# -- figures about an exam are not results; "whats" asks ---------------------------------------


def test_a_pass_rate_is_not_a_pass(nlp):
    facts = changes(nlp, "flunked ck in september. whats the pass rate on a retake")
    assert facts["step2"] == "failed"


@pytest.mark.parametrize("text", ["whats the passing score for ck", "hows my chances for FM"])
def test_whats_and_hows_ask(text):
    assert asks_something(text)


def test_gas_is_anesthesiology(nlp):
    assert changes(nlp, "want to apply gas, ck 245")["specialty"] == "anesthesiology"


# -- cue words live in vocabulary.yml and are checked when it is loaded -------------------------


def test_every_cue_kind_is_given_and_no_unknown_one():
    from img_strategy.parsing import Cue, VocabularyError, _checked_cues, vocabulary

    given = {kind.value: list(words) for kind, words in vocabulary().cues.items()}
    assert set(vocabulary().cues) == set(Cue)
    with pytest.raises(VocabularyError, match="missing"):
        _checked_cues({k: v for k, v in given.items() if k != Cue.ORDINAL.value})
    with pytest.raises(VocabularyError, match="unknown"):
        _checked_cues({**given, "negatoin": ["not"]})
    with pytest.raises(VocabularyError, match="repeated"):
        _checked_cues({**given, Cue.ORDINAL.value: ["first", "First"]})
    with pytest.raises(VocabularyError, match="non-empty"):
        _checked_cues({**given, Cue.LEFT.value: []})


def test_months_and_uncovered_topics_are_checked_at_load():
    from img_strategy.asked import Uncovered
    from img_strategy.parsing import VocabularyError, _checked_uncovered, vocabulary

    assert sorted(set(vocabulary().months.values())) == list(range(1, 13))
    given = {kind.value: list(words) for kind, words in vocabulary().uncovered.items()}
    assert Uncovered.OTHER not in vocabulary().uncovered
    with pytest.raises(VocabularyError):
        _checked_uncovered({k: v for k, v in given.items() if k != Uncovered.FEES.value})
    with pytest.raises(VocabularyError):
        _checked_uncovered({**given, "visa_fees": ["fee"]})


@pytest.mark.parametrize(
    ("text", "year"), [("eras 2028, what should my timeline be", 2028), ("2027 cycle", 2027)]
)
def test_a_year_next_to_a_word_for_the_match_is_the_match(text, year):
    from img_strategy.parsing import match_year

    assert match_year(text) == year


# The words moved out of the parser's code into vocabulary.yml, each doing what it did.
@pytest.mark.parametrize(
    ("text", "expected", "want"),
    [
        ("nothing so far", Field.USCE, {"usce_months": 0}),  # none_start
        ("nil", Field.USCE, {"usce_months": 0}),
        ("no usce", Field.USCE, {"usce_months": 0}),
        ("cleared step 1 on the 2nd attempt", None, {"step1": "failed_then_passed"}),  # ordinal
        ("ck 240 but step 1 failed", None, {"step2_score": 240, "step1": "failed_then_passed"}),
        ("nbme 201 then 209 & 214", None, {"step2_practice": 214}),  # list_joint
        ("4 months left for CK", None, {"step2": "not_taken"}),  # time_filler, time_until
        ("ck and step 3 still left", None, {"step2": "not_taken", "step3": "not_taken"}),
        ("got 231 in the step 2 ck", None, {"step2_score": 231}),  # score_to_exam, exam_lead
        ("j1 is not for me", None, {}),  # tail_filler
        ("graduated last year", None, {"graduation_year": 2025}),  # relative_years
        ("recent grad from Lagos", None, {"graduation_year": 2026}),  # fresh_grad
    ],
)
def test_moved_cue_words_read_as_before(nlp, text, expected, want):
    facts = changes(nlp, text, expected)
    assert {k: facts.get(k) for k in want} == want
    if not want:
        assert "visa" not in facts


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ("pls sir how many programs", ["pls sir how many programs"]),  # leading_filler
        ("ck 236. chances for IM plus what about FM", ["plus what about FM"]),  # next_question
    ],
)
def test_moved_question_words_read_as_before(text, questions):
    assert [text[s.start : s.end] for s in question_spans(text)] == questions


# -- forty fresh sentences, written for this test in the ways IMGs type -----------------------
# Each names only the facts it checks; None means the fact must not be stored.

FRESH_SENTENCES = [
    # negation and contrast
    ("dont have any usce till now bhai", {"usce_months": 0}),
    ("no H1B sponsorship needed, i'm a GC holder", {"visa": "none"}),
    ("prefer J1, h1b is not possible for me", {"visa": "j1"}),
    ("never appeared for step 3", {"step3": "not_taken"}),
    ("S1 not cleared yet, CK done 238", {"step1": "failed", "step2_score": 238}),
    ("no fails in any step, ck 236", {"step1": None, "step2_score": 236}),
    (
        "no observership only 2 months hands on externship",
        {"usce_months": 2, "usce_kind": "hands_on"},
    ),
    # corrections
    ("yog 2020.. no wait 2019", {"graduation_year": 2019}),
    ("CK 232 - correction 223", {"step2_score": 223}),
    ("i said FM earlier but actually i want peds", {"specialty": "pediatrics"}),
    ("J1 sorry i mean H1b", {"visa": "h1b"}),
    ("3 months usce, sorry 4 months", {"usce_months": 4}),
    # dates bound to exams
    ("gave step 1 in 2022 passed, graduated 2021", {"step1": "passed", "graduation_year": 2021}),
    ("ck scheduled for 12th feb 2027", {"step2": "not_taken"}),
    ("step 2 on 20 jan, 2027 inshallah", {"step2": "not_taken"}),
    ("appeared ck in july 2025 got 219", {"step2_score": 219}),
    ("my ck result is due on 3rd dec", {"step2": "pending"}),
    ("MBBS 2018 batch, S1 cleared 2020", {"graduation_year": 2018, "step1": "passed"}),
    # durations
    ("8 weeks of IM electives in Texas", {"usce_months": 2, "usce_kind": "hands_on"}),
    ("did 1 yr research in US and 2 months obs", {"usce_months": 2, "usce_kind": "observership"}),
    ("ck exam after 6 weeks", {"step2": "not_taken"}),
    ("I am 33 years old with 1 month usce", {"usce_months": 1}),
    ("had a 1 year gap for my baby, 3 months rotations in NY", {"usce_months": 3}),
    ("3 months prep for ck, no usce", {"usce_months": 0}),
    # practice vs real scores
    ("uwsa 2 was 245, real ck 238", {"step2_score": 238}),
    (
        "nbme 13 - 221, nbme 14 - 227, exam not given yet",
        {"step2_practice": 227, "step2": "not_taken"},
    ),
    ("free 120 78% and uwsa1 231, writing ck next month", {"step2_practice": 231}),
    ("predicted 240 on nbme but actual ck score 229", {"step2_score": 229}),
    # fail then retake
    (
        "ck 1st attempt 205 fail, 2nd attempt 234",
        {"step2": "failed_then_passed", "step2_score": 234},
    ),
    ("failed s1 twice then cleared", {"step1": "failed_then_passed", "step1_attempts": 3}),
    ("step 1 fail 2021 pass 2022", {"step1": "failed_then_passed"}),
    ("CK: 211 (failed), retook and got 226", {"step2": "failed_then_passed", "step2_score": 226}),
    ("flunked ck, retake is in march", {"step2": "failed"}),
    ("step 1 passed in 3rd attempt", {"step1": "failed_then_passed", "step1_attempts": 3}),
    # YOG forms
    ("YOG-2017", {"graduation_year": 2017}),
    ("pass out year 2015, S1 P", {"graduation_year": 2015}),
    ("graduated in '19 from Dow", {"graduation_year": 2019}),
    ("final year student, will graduate 2027", {"graduation_year": 2027}),
    ("2 years since graduation, ck 240", {"graduation_year": 2024}),
    ("graduated 4 yrs back, no usce", {"graduation_year": 2022}),
]


@pytest.mark.parametrize(("text", "want"), FRESH_SENTENCES)
def test_fresh_sentences(nlp, text, want):
    facts = changes(nlp, text)
    assert {k: facts.get(k) for k in want} == want


# -- more forms found by writing new sentences ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [("MBBS 2013-2019 from Lahore, ck 233", 2019), ("mbbs (2010 – 2016), s1 pass", 2016)],
)
def test_a_span_of_years_ends_in_graduation(nlp, text, year):
    facts = read(nlp, text)
    assert facts.changes["graduation_year"] == year
    assert facts.unsure == ()


def test_a_span_of_years_of_other_work_is_not_graduation(nlp):
    assert changes(nlp, "worked in Riyadh 2017-2022, yog 2015")["graduation_year"] == 2015


@pytest.mark.parametrize(
    ("text", "months"), [("1.5 months of externship", 1.5), ("2.5 mos observership in KY", 2.5)]
)
def test_a_fraction_of_a_month_is_kept(nlp, text, months):
    assert changes(nlp, text)["usce_months"] == months


@pytest.mark.parametrize(
    "text",
    ["ck 2 attempts: 207 then 239", "Step 2 CK 239 (2nd try; first was 207)"],
)
def test_several_ck_scores_are_fails_then_the_highest_pass(nlp, text):
    facts = read(nlp, text)
    assert facts.changes["step2"] == ExamStatus.FAILED_THEN_PASSED
    assert facts.changes["step2_score"] == 239
    assert facts.changes["step2_attempts"] == 2
    assert facts.problems == ()


def test_two_passing_ck_scores_stay_conflicting(nlp):
    # Both over every pass mark CK has had: one of them is a slip, asked back.
    assert [p.code for p in read(nlp, "ck 231 .. my ck 244").problems] == ["conflicting_scores"]


def test_attempts_of_a_certifying_step_without_a_result(nlp):
    assert changes(nlp, "s1 three attempts, ck 230")["step1"] == "failed_then_passed"
    assert "step3" not in changes(nlp, "step 3 two attempts")


def test_a_count_written_with_x(nlp):
    facts = changes(nlp, "step 1 fail x2 then cleared, ck 226")
    assert facts["step1"] == "failed_then_passed"
    assert facts["step1_attempts"] == 3


@pytest.mark.parametrize(
    "text", ["S1 P CK 238", "s1 ✅ ck 238", "step 1 - pass ck 238", "CK 238 S1 cleared"]
)
def test_a_result_right_after_its_exam_is_that_exams(nlp, text):
    facts = changes(nlp, text)
    assert facts["step1"] == "passed"
    assert facts["step2_score"] == 238


@pytest.mark.parametrize(
    "text",
    ["s1 + ck done, both first attempt 241 ck", "cleared s1 and ck", "passed both steps, ck 241"],
)
def test_a_result_shared_by_a_list_of_exams(nlp, text):
    facts = changes(nlp, text)
    assert facts["step1"] == "passed"
    assert facts.get("step2") in ("passed", None)


def test_an_exam_with_its_own_score_is_not_in_the_list(nlp):
    facts = changes(nlp, "failed s1 and ck 240")
    assert facts["step1"] == "failed_then_passed"
    assert facts["step2"] == "passed"


def test_the_year_a_course_started_and_its_length_are_neither_graduation_nor_usce(nlp):
    facts = read(nlp, "joined mbbs from 2013 and graduated after 5.5 years")
    assert "graduation_year" not in facts.changes
    assert "usce_months" not in facts.changes
    assert facts.unsure == ()
    assert changes(nlp, "graduated from Aga Khan 2014")["graduation_year"] == 2014


def test_a_sure_graduation_year_makes_other_years_moot(nlp):
    facts = read(nlp, "graduated 5 yrs back (2021), ck 236")
    assert facts.changes["graduation_year"] == 2021
    assert facts.unsure == ()


@pytest.mark.parametrize(
    "text",
    [
        "once i have my ck result ill decide the specialty",
        "will give CK once my uworld is done",
        "ck 236, applying for the 3rd time now",
        "ck 231 and we applied twice already",
        "can i give step 3 once before applying?",
    ],
)
def test_a_count_of_something_else_is_no_exam_attempt(nlp, text):
    facts = changes(nlp, text)
    assert not any(k.endswith("_attempts") for k in facts)
    assert facts.get("step2") in (None, "passed", "not_taken")


def test_a_score_after_a_fail_and_then_is_the_next_attempts(nlp):
    facts = changes(nlp, "step 2 ck: failed once in 2022 then 233")
    assert facts["step2"] == "failed_then_passed"
    assert facts["step2_score"] == 233
    assert facts["step2_attempts"] == 2


@pytest.mark.parametrize(
    ("text", "months"),
    [("observed in cardiology for 1 month in Ohio", 1), ("shadowed for 4 wks", 1)],
)
def test_time_observing_is_usce(nlp, text, months):
    assert changes(nlp, text)["usce_months"] == months


def test_practice_scores_named_as_such(nlp):
    facts = read(nlp, "my practice scores are 219-226, ck in feb")
    assert facts.changes["step2_practice"] == 226
    assert "step2_score" not in facts.changes
    assert facts.problems == ()


@pytest.mark.parametrize(
    ("text", "year"),
    [("it has been 3 years since i graduated", 2023), ("MBBCh 2017 Ain Shams, ck 229", 2017)],
)
def test_more_ways_of_giving_the_graduation_year(nlp, text, year):
    assert changes(nlp, text)["graduation_year"] == year


@pytest.mark.parametrize(
    "text",
    [
        "ck 239. 2nd attempt at residency this cycle",
        "CK 231, I tried 3 times but no match",
        "ck 236, 2 attempts at ERAS so far",
        "ck 242, interviewed twice, still unmatched",
        "CK 228 - soaped twice",
    ],
)
def test_a_later_count_of_applying_is_no_ck_attempt(nlp, text):
    facts = changes(nlp, text)
    assert facts["step2"] == "passed"
    assert "step2_attempts" not in facts


@pytest.mark.parametrize(
    ("text", "status", "attempts"),
    [
        ("step 1: fail. cleared on 2nd attempt", "failed_then_passed", 2),
        ("failed ck twice before residency applications", "failed_then_passed", 3),
    ],
)
def test_a_count_that_speaks_of_the_exam_still_counts(nlp, text, status, attempts):
    facts = changes(nlp, text)
    exam = "step1" if "step 1" in text else "step2"
    assert (facts[exam], facts[f"{exam}_attempts"]) == (status, attempts)
