"""The dated plan: cycle choice, milestones by month, and the rules behind them.

Fixed ``today`` values; 2026-11-26 is late November, after the 2027 Match's ERAS opening.
Tests tagged ``@covers`` count towards docs/coverage.md like the article tests.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from img_strategy import ExamStatus, Profile, Question, Visa, advise
from img_strategy.plan import Kind, Plan, YearMonth, build_plan
from tests.img_strategy.support import covers

NOV26 = date(2026, 11, 26)
P, F, NT = ExamStatus.PASSED, ExamStatus.FAILED, ExamStatus.NOT_TAKEN


def plan(today: date = NOV26, **kwargs: object) -> Plan:
    options = {k: kwargs.pop(k) for k in ("match_year", "ck_booked") if k in kwargs}
    return build_plan(Profile(**kwargs), today, **options)  # type: ignore[arg-type]


def month(p: Plan, kind: Kind) -> tuple[YearMonth, YearMonth]:
    found = [m for m in p.milestones if m.kind == kind]
    assert len(found) == 1, (kind, found)
    return found[0].start, found[0].end


def kinds(p: Plan) -> set[Kind]:
    return {m.kind for m in p.milestones}


def text(p: Plan) -> str:
    return "\n".join(p.messages())


def ym(year: int, mon: int) -> YearMonth:
    return YearMonth(year, mon)


@covers("F16", "PEDS.timeline", "GEN.timing")
def test_late_november_graduate_aims_at_the_next_but_one_match():
    p = plan(step1=P, step2=NT, specialty="internal_medicine", visa=Visa.J1)
    # ERAS for the 2027 Match opened in September 2026: the first reachable is 2028.
    assert p.match_year == 2028
    assert month(p, Kind.ERAS) == (ym(2027, 9), ym(2027, 9))
    assert month(p, Kind.INTERVIEWS) == (ym(2027, 10), ym(2028, 1))
    assert month(p, Kind.MATCH_DAY) == (ym(2028, 3), ym(2028, 3))
    ck = month(p, Kind.CK)[0]
    assert ck <= ym(2027, 7)  # inside or before the May-July window
    assert "2028 Match" in p.cycle[0] and ck.label in p.cycle[0]
    assert "AAMC and the NRMP publish" in text(p)
    assert Kind.STEP3 not in kinds(p)  # J-1: no Step 3 milestone


@covers("GEN.timeline", "GEN.practice_exams", "PEDS.resources")
def test_prep_phases_stay_inside_the_guidance_and_shrink_with_a_good_practice_score():
    weak = plan(step1=P, step2=NT, specialty="internal_medicine", step2_practice=215)
    strong = plan(step1=P, step2=NT, specialty="internal_medicine", step2_practice=240)

    def weeks(p: Plan) -> list[int]:
        import re

        phases = (Kind.FOUNDATION, Kind.QBANK, Kind.REFINE)
        lines = [m.text for m in p.milestones if m.kind in phases]
        return [int(re.search(r", (\d+) weeks", line).group(1)) for line in lines]  # type: ignore[union-attr]

    assert weeks(weak) == [10, 12, 4]  # 15 points under: the longest phases
    assert weeks(strong) == [4, 6, 2]  # at the target already: the shortest
    # Practice exams start inside the question-bank phase and before the exam.
    for p in (weak, strong):
        qbank = month(p, Kind.QBANK)
        practice = month(p, Kind.PRACTICE)[0]
        assert qbank[0] <= practice <= qbank[1]
        assert practice <= month(p, Kind.CHECKPOINT)[0] <= month(p, Kind.CK)[0]


@covers("PEDS.step1_not_taken", "PEDS.commitment")
def test_student_before_step1_gets_a_step1_deadline_then_ck():
    p = plan(step1=NT, specialty="pediatrics")
    assert p.match_year == 2028
    step1 = month(p, Kind.STEP1)
    # Step 1 by March 2027 leaves 3-4 months for CK before the window closes in July.
    assert step1 == (ym(2026, 12), ym(2027, 3))
    assert month(p, Kind.FOUNDATION)[0] > step1[1]
    assert month(p, Kind.CK)[0] == ym(2027, 7)
    body = text(p)
    assert "first-attempt pass" in body and "one more dedicated month" in body
    assert "2-3 months of pediatric US clinical experience" in body
    assert month(p, Kind.USCE)[1] == ym(2027, 8)  # in place before ERAS opens


@covers("PEDS.postpone")
def test_checkpoint_says_what_a_postponement_costs():
    p = plan(step1=NT, specialty="pediatrics")  # CK in July: +2 months reaches September
    checkpoint = next(m for m in p.milestones if m.kind == Kind.CHECKPOINT)
    assert "more than 10-15 points under your target of 230" in checkpoint.text
    assert "1-2 months" in checkpoint.text
    assert any("September 2027 puts CK after ERAS opens" in n for n in checkpoint.notes)
    early = plan(step1=P, step2=NT, specialty="pediatrics", step2_practice=228)
    cp = next(m for m in early.milestones if m.kind == Kind.CHECKPOINT)
    assert any("still keeps CK inside the May-July window" in n for n in cp.notes)
    assert "seriously consider moving" in checkpoint.text  # the article's hedge, no order


@covers("GEN.practice_exams")
def test_checkpoint_outside_pediatrics_uses_the_general_articles_hedge():
    # The 10-15-point rule is the pediatrics article's (#19 item 5): IM gets "far below"
    # and "it may be wiser", from the general article's practice-exam section.
    p = plan(step1=P, step2=NT, specialty="internal_medicine", step2_practice=221)
    checkpoint = next(m for m in p.milestones if m.kind == Kind.CHECKPOINT)
    assert "far below your target of 230, it may be wiser to move" in checkpoint.text
    assert "10-15" not in checkpoint.text
    # The target's figure is cited ("why?" says where 230 comes from).
    assert "figure.gen_band_230" in {r.rule for r in p.advice.reasons}


def test_ck_booked_is_kept_and_prep_fits_before_it():
    p = plan(step1=P, step2=NT, specialty="internal_medicine", ck_booked=date(2027, 4, 12))
    assert p.match_year == 2028
    assert month(p, Kind.CK) == (ym(2027, 4), ym(2027, 4))
    assert "booked CK in April 2027" in p.cycle[0]
    assert month(p, Kind.REFINE)[1] <= ym(2027, 4)
    assert "your booked Step 2 CK" in text(p)


def test_ck_booked_after_eras_opens_moves_to_the_next_match():
    p = plan(step1=P, step2=NT, specialty="internal_medicine", ck_booked=date(2027, 10, 5))
    assert p.match_year == 2029
    assert "too late to have a CK score by September 2027 for the 2028 Match" in text(p)


def test_ck_booked_after_the_asked_match_keeps_the_booking():
    p = plan(step1=P, step2=NT, ck_booked=date(2027, 10, 5), match_year=2028)
    assert p.match_year == 2029
    assert "booked CK in October 2027 comes after ERAS opens for the 2028 Match" in text(p)


def test_ck_booked_soon_warns_that_prep_is_short():
    p = plan(step1=P, step2=NT, specialty="internal_medicine", ck_booked=date(2027, 1, 20))
    assert "less than the shortest preparation" in text(p)
    assert month(p, Kind.CK)[0] == ym(2027, 1)


@covers("GEN.faq3", "GEN.starting_point")
def test_old_graduate_is_told_every_delay_must_add_value():
    old = dict(step1=P, step2=P, step2_score=232, graduation_year=2017, specialty="family_medicine")
    p = plan(**old)
    assert p.match_year == 2028
    assert Kind.CK not in kinds(p) and Kind.FOUNDATION not in kinds(p)  # CK is done
    later = plan(**old, match_year=2029)
    assert later.match_year == 2029
    assert "add clear value" in text(later)
    assert "add clear value" not in text(plan(**{**old, "graduation_year": 2024}, match_year=2029))
    # A pending CK's postponement gets the same rule.
    pending = plan(step1=P, step2=NT, graduation_year=2015, specialty="internal_medicine")
    assert "add clear value" in text(pending)


@covers("F13")
def test_h1b_gets_step3_after_ck_and_before_the_rank_list():
    p = plan(step1=P, step2=NT, specialty="internal_medicine", visa=Visa.H1B)
    step3 = month(p, Kind.STEP3)
    assert step3[0] > month(p, Kind.CK)[0]
    assert step3[1] == ym(2028, 1)  # by the end of the interviews
    assert "before the rank list" in text(p)
    done = plan(step1=P, step2=NT, visa=Visa.H1B, step3=P)
    assert Kind.STEP3 not in kinds(done)


@covers("F17", "F18")
def test_signals_name_their_match_and_never_borrow_another_field():
    im = text(plan(step1=P, step2=P, step2_score=240, specialty="internal_medicine"))
    assert "3 gold and 12 silver, 15 in all, for the 2026 Match" in im
    assert "AAMC's table for the 2028 Match" in im
    peds = text(plan(step1=P, step2=P, step2_score=240, specialty="pediatrics"))
    assert "5 for the 2026 Match (reported)" in peds
    neuro = text(plan(step1=P, step2=P, step2_score=240, specialty="neurology"))
    assert "I do not have the figure for Neurology" in neuro


def test_target_year_that_is_too_tight_is_honoured_with_a_note():
    p = plan(date(2027, 6, 20), step1=P, step2=NT, match_year=2028)
    assert p.match_year == 2028
    assert "it is tight" in text(p) and "12 weeks" in text(p)
    assert month(p, Kind.ERAS)[0] == ym(2027, 9)


def test_target_year_in_the_past_falls_back_to_the_first_reachable():
    p = plan(step1=P, step2=NT, match_year=2027)
    assert p.match_year == 2028
    assert "2027 Match can no longer be reached" in text(p)


def test_a_later_target_year_is_honoured_with_ck_in_the_window():
    # "plan for 2029 match" in late November 2026, when the 2028 Match is still reachable.
    p = plan(date(2026, 11, 23), step1=P, step2=NT, step2_practice=221, match_year=2029)
    assert p.match_year == 2029
    assert "You asked for the 2029 Match; an earlier one would be possible" in text(p)
    assert month(p, Kind.ERAS)[0] == ym(2028, 9)
    assert month(p, Kind.MATCH_DAY)[0] == ym(2029, 3)
    # Time to spare: CK in the window's first month (May), not the April before it.
    assert month(p, Kind.CK)[0] == ym(2028, 5)
    assert "sit CK in May 2028" in p.cycle[0]


def test_a_target_year_decades_ahead_is_not_planned_month_by_month():
    p = plan(step1=P, step2=NT, match_year=2099)
    assert p.match_year == 2028
    assert "The 2099 Match is too far ahead to plan month by month" in text(p)
    assert plan(step1=P, step2=NT, match_year=2032).match_year == 2032  # four after 2028


def test_target_year_that_fits_is_confirmed():
    p = plan(step1=P, step2=NT, match_year=2028)
    assert p.match_year == 2028 and "it fits" in text(p)


def test_failed_ck_gets_a_retake_in_the_plan():
    p = plan(step1=P, step2=F, step2_attempts=1, specialty="internal_medicine")
    assert "your Step 2 CK retake" in text(p)


def test_messages_one_per_phase_and_short():
    p = plan(step1=NT, specialty="pediatrics", visa=Visa.H1B)
    messages = p.messages()
    assert len(messages) == 1 + len({m.phase for m in p.milestones})
    assert all(len(m) < 2000 for m in messages)


def test_plan_question_answers_through_the_engine_with_reasons():
    advice = advise(Question.PLAN, Profile(step1=P, step2=NT), today=NOV26)
    assert "2028 Match" in advice.verdict
    assert any(r.source == "F16" for r in advice.reasons)
    assert len(advice.recommendations) >= 6


def test_same_inputs_same_plan():
    assert plan(step1=NT, specialty="pediatrics") == plan(step1=NT, specialty="pediatrics")


# ---- Properties ------------------------------------------------------------------------------

statuses = st.sampled_from([None, *ExamStatus])
profiles = st.builds(
    Profile,
    step1=statuses,
    step2=statuses,
    step2_score=st.one_of(st.none(), st.integers(200, 280)),
    step2_practice=st.one_of(st.none(), st.integers(180, 280)),
    step3=statuses,
    visa=st.one_of(st.none(), st.sampled_from(list(Visa))),
    graduation_year=st.one_of(st.none(), st.integers(1995, 2030)),
    specialty=st.one_of(st.none(), st.sampled_from(["pediatrics", "internal_medicine", "ent"])),
)


@settings(max_examples=300, deadline=None)
@given(
    profile=profiles,
    today=st.dates(date(2024, 1, 1), date(2032, 12, 31)),
    offset=st.one_of(st.none(), st.integers(-2, 4)),
    booked_days=st.one_of(st.none(), st.integers(-60, 700)),
)
def test_milestones_are_in_order_and_never_in_the_past(profile, today, offset, booked_days):
    from datetime import timedelta

    booked = today + timedelta(days=booked_days) if booked_days is not None else None
    match_year = today.year + offset if offset is not None else None
    p = build_plan(profile, today, match_year=match_year, ck_booked=booked)
    now = YearMonth.of(today)
    starts = [m.start for m in p.milestones]
    assert starts == sorted(starts)
    assert all(m.start >= now and m.end >= m.start for m in p.milestones)
    anchors = [month(p, k)[0] for k in (Kind.ERAS, Kind.INTERVIEWS, Kind.MATCH_DAY)]
    assert anchors == sorted(anchors) and anchors[2].year == p.match_year
    assert p.milestones[-1].kind == Kind.MATCH_DAY
    if Kind.CK in kinds(p) and "it is tight" not in text(p):
        assert month(p, Kind.CK)[0] <= month(p, Kind.ERAS)[0]
        assert month(p, Kind.FOUNDATION)[0] <= month(p, Kind.CK)[0]
