"""The one free-text parser: single values and whole messages."""

from __future__ import annotations

import pytest

from img_strategy import ExamStatus, Field, UsceKind, Visa
from img_strategy.parsing import (
    Label,
    Mention,
    ParseError,
    facts_from_mentions,
    parse_attempts,
    parse_months,
    parse_number,
    parse_score,
    parse_specialty,
    parse_visa,
    parse_year,
    parse_years_ago,
)
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


def test_ck_214_to_217_is_kept_for_the_engine_to_read_by_date():
    facts = parse("ck 216", [("ck", Label.EXAM), ("216", Label.SCORE)])
    assert facts.changes["step2_score"] == 216
    assert not facts.problems
