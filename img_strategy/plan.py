"""A dated plan from today to Match Day, built from the profile and the rule tables.

Pure and deterministic like the engine: the caller passes ``today``. Every month comes from a
figure in figures.yml (the ERAS month, the CK window, the preparation phases, the interview
months, Match Day), and every line from a statement naming its source; a milestone the
guidance does not date is left out. Dates are months only: the AAMC and the NRMP publish each
cycle's exact dates.

How the cycle is chosen: the first Match whose ERAS season (September of the year before)
can open with a CK score in hand, with CK sat by the end of the guidance's ideal window
(May-July). CK is aimed at the start of that window so that a 1-2-month postponement still
lands inside it; the preparation phases are scaled between their shortest and longest
lengths by the time left and by how far the practice score is from the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from img_strategy.advice import Advice, AdviceBuilder
from img_strategy.asked import Asked
from img_strategy.assessment import ck_target
from img_strategy.profile import ExamStatus, Profile, Visa
from img_strategy.questions import Question
from img_strategy.readback import describe
from img_strategy.tables import Rules, Table, default_rules

if TYPE_CHECKING:
    from img_strategy.answers.shared import AnswerContext


@dataclass(frozen=True, order=True)
class YearMonth:
    """A calendar month; the plan's only unit of time."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    def plus(self, months: int) -> YearMonth:
        index = self.year * 12 + self.month - 1 + months
        return YearMonth(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        return self.first_day.strftime("%B %Y")

    def until(self, end: YearMonth) -> str:
        """``"December 2026 to February 2027"``, or one month's label."""
        return self.label if end == self else f"{self.label} to {end.label}"


class Phase(str, Enum):
    """The plan's sections, one chat message each."""

    STEP1 = "Step 1"
    CK = "Step 2 CK"
    CLINICAL = "US clinical experience and letters"
    STEP3 = "Step 3"
    APPLICATION = "ERAS application"
    MATCH = "Interviews and Match Day"


class Kind(str, Enum):
    """What a milestone is; also its calendar entry's stable id."""

    STEP1 = "step1"
    FOUNDATION = "foundation"
    QBANK = "qbank"
    PRACTICE = "practice"
    REFINE = "refine"
    CHECKPOINT = "checkpoint"
    CK = "ck"
    USCE = "usce"
    STEP3 = "step3"
    ERAS = "eras"
    INTERVIEWS = "interviews"
    MATCH_DAY = "match_day"


_PHASE_OF = {
    Kind.STEP1: Phase.STEP1,
    Kind.FOUNDATION: Phase.CK,
    Kind.QBANK: Phase.CK,
    Kind.PRACTICE: Phase.CK,
    Kind.REFINE: Phase.CK,
    Kind.CHECKPOINT: Phase.CK,
    Kind.CK: Phase.CK,
    Kind.USCE: Phase.CLINICAL,
    Kind.STEP3: Phase.STEP3,
    Kind.ERAS: Phase.APPLICATION,
    Kind.INTERVIEWS: Phase.MATCH,
    Kind.MATCH_DAY: Phase.MATCH,
}

# Short calendar titles (the full line goes into the event's description).
_TITLES = {
    Kind.STEP1: "Step 1",
    Kind.FOUNDATION: "CK prep: foundation",
    Kind.QBANK: "CK prep: question bank",
    Kind.PRACTICE: "CK: first practice exams",
    Kind.REFINE: "CK prep: refinement",
    Kind.CHECKPOINT: "CK checkpoint: score estimate, postpone?",
    Kind.CK: "Step 2 CK exam",
    Kind.USCE: "USCE and letters",
    Kind.STEP3: "Step 3 (H-1B)",
    Kind.ERAS: "Submit ERAS",
    Kind.INTERVIEWS: "Interview season",
    Kind.MATCH_DAY: "Match Day",
}


@dataclass(frozen=True)
class Milestone:
    kind: Kind
    start: YearMonth
    end: YearMonth
    text: str
    notes: tuple[str, ...] = ()

    @property
    def phase(self) -> Phase:
        return _PHASE_OF[self.kind]

    @property
    def title(self) -> str:
        return _TITLES[self.kind]


@dataclass(frozen=True)
class Plan:
    today: date
    match_year: int
    cycle: tuple[str, ...]  # which Match and why, plus honest notes
    milestones: tuple[Milestone, ...]  # ordered by start month
    advice: Advice  # the same plan as advice: verdict, lines, figures and reasons for "why?"

    def messages(self) -> list[str]:
        """One short chat message for the cycle, then one per phase in date order."""
        out = ["\n".join(self.cycle)]
        phases: list[Phase] = []
        for milestone in self.milestones:
            if milestone.phase not in phases:
                phases.append(milestone.phase)
        for phase in phases:
            lines = [f"{phase.value}:"]
            for m in self.milestones:
                if m.phase == phase:
                    lines.append(f"- {m.text}")
                    lines.extend(f"  {note}" for note in m.notes)
            out.append("\n".join(lines))
        return out


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cycle:
    """Month anchors of one Match, from the figures."""

    match_year: int
    eras: YearMonth
    window_start: YearMonth  # ideal CK window
    window_end: YearMonth
    interviews_start: YearMonth
    interviews_end: YearMonth
    match_day: YearMonth

    @classmethod
    def of(cls, rules: Rules, match_year: int) -> _Cycle:
        def month(figure_id: str, attr: str = "value") -> int:
            return int(getattr(rules.figure(figure_id), attr))

        year = match_year - 1  # ERAS opens the year before the Match
        interviews_start = YearMonth(year, month("interview_start_month"))
        end = month("interview_end_month")
        interviews_end = YearMonth(year if end >= interviews_start.month else match_year, end)
        return cls(
            match_year=match_year,
            eras=YearMonth(year, month("eras_opening_month")),
            window_start=YearMonth(year, month("ck_ideal_window", "low")),
            window_end=YearMonth(year, month("ck_ideal_window", "high")),
            interviews_start=interviews_start,
            interviews_end=interviews_end,
            match_day=YearMonth(match_year, month("match_day_month")),
        )


@dataclass(frozen=True)
class _Prep:
    """CK preparation, phase lengths in weeks, laid out from ``start``."""

    start: date
    foundation: int
    qbank: int
    refine: int

    @property
    def total(self) -> int:
        return self.foundation + self.qbank + self.refine

    @property
    def exam_day(self) -> date:
        return self.start + timedelta(weeks=self.total)


_PHASES = ("prep_foundation_weeks", "prep_qbank_weeks", "prep_refine_weeks")


def _phase_bounds(rules: Rules) -> tuple[int, int]:
    low = sum(int(rules.figure(f).low or 0) for f in _PHASES)
    high = sum(int(rules.figure(f).high or 0) for f in _PHASES)
    return low, high


def _prep(rules: Rules, start: date, share: float) -> _Prep:
    """Phases at ``share`` of the way from their shortest to their longest lengths."""
    weeks = [
        round((f := rules.figure(fid)).low + share * (f.high - f.low))  # type: ignore[operator]
        for fid in _PHASES
    ]
    return _Prep(start, *weeks)


def _weeks_between(start: date, end: date) -> int:
    return max(0, (end - start).days // 7)


def _need_share(rules: Rules, profile: Profile, target: int | None) -> float:
    """How much of the longest preparation the practice score calls for: all of it without
    a practice score, none of it at or above the target, all of it at the postpone gap."""
    if target is None or profile.step2_practice is None:
        return 1.0
    gap = target - profile.step2_practice
    full_gap = rules.figure("postpone_gap_points").low or 1
    return min(1.0, max(0.0, gap / full_gap))


def _month_start(today: date) -> YearMonth:
    """The first month the plan can use: this one while half of it is left."""
    this = YearMonth.of(today)
    return this if today.day <= 15 else this.plus(1)


def _ck_pending(profile: Profile) -> bool:
    return profile.step2 in (None, ExamStatus.NOT_TAKEN, ExamStatus.FAILED) and (
        profile.step2_score is None or profile.step2 == ExamStatus.FAILED
    )


def _step1_pending(profile: Profile) -> bool:
    return profile.step1 in (ExamStatus.NOT_TAKEN, ExamStatus.FAILED)


@dataclass(frozen=True)
class _Schedule:
    """The CK part of a plan for one cycle, or why it does not fit."""

    cycle: _Cycle
    fits: bool
    step1_by: YearMonth | None
    prep: _Prep | None
    ck: YearMonth | None
    booked: bool = False


def _schedule(
    rules: Rules,
    profile: Profile,
    start: YearMonth,
    cycle: _Cycle,
    target: int | None,
    ck_booked: YearMonth | None,
) -> _Schedule:
    if not _ck_pending(profile):
        return _Schedule(cycle, start <= cycle.eras, None, None, None)
    low, high = _phase_bounds(rules)
    prep_from = start
    step1_by = None
    if _step1_pending(profile):
        # Step 1 early enough to leave the guidance's 3-4 months for CK before the window ends.
        step1_by = cycle.window_end.plus(-int(rules.figure("step1_to_ck_months").high or 0))
        if ck_booked is not None:  # Step 1 must come before a booked CK
            step1_by = min(step1_by, ck_booked.plus(-1))
        prep_from = max(start, step1_by.plus(1))
    if ck_booked is not None:
        prep_from = min(prep_from, ck_booked)
        available = _weeks_between(prep_from.first_day, ck_booked.plus(1).first_day)
        share = min(1.0, max(0.0, (available - low) / (high - low)))
        prep = _prep(rules, prep_from.first_day, share)
        if prep.total > available:  # less time than the shortest preparation: squeeze it
            ratio = available / prep.total
            prep = _Prep(
                prep.start,
                max(1, int(prep.foundation * ratio)),
                max(1, int(prep.qbank * ratio)),
                max(1, int(prep.refine * ratio)),
            )
        fits = ck_booked <= cycle.eras and (step1_by is None or start <= step1_by)
        return _Schedule(cycle, fits, step1_by, prep, ck_booked, booked=True)
    need = _need_share(rules, profile, target)
    wanted = _prep(rules, prep_from.first_day, need)
    if YearMonth.of(wanted.exam_day) <= cycle.window_start:
        # Time to spare: aim CK at the window's first month (not the day before it opens),
        # so a postponement stays inside the window. CK is the day before ``exam_day``.
        latest = cycle.window_start.plus(1).first_day - timedelta(weeks=wanted.total)
        begin = max(prep_from.first_day, latest)
        prep = _Prep(begin, wanted.foundation, wanted.qbank, wanted.refine)
    elif YearMonth.of(wanted.exam_day) <= cycle.window_end:
        prep = wanted
    else:
        available = _weeks_between(prep_from.first_day, cycle.window_end.plus(1).first_day)
        share = (available - low) / (high - low)
        prep = _prep(rules, prep_from.first_day, min(need, max(0.0, share)))
    ck = YearMonth.of(prep.exam_day - timedelta(days=1))
    fits = ck <= cycle.window_end and (step1_by is None or start <= step1_by)
    return _Schedule(cycle, fits, step1_by, prep, ck)


# --------------------------------------------------------------------------------------------


def answer(ctx: AnswerContext) -> Advice:
    """The question registry's handler for ``Question.PLAN``: the plan's own advice."""
    return plan_for(ctx.profile, ctx.today, ctx.asked, rules=ctx.rules).advice


def plan_for(profile: Profile, today: date, asked: Asked, *, rules: Rules | None = None) -> Plan:
    """The plan a question asks for: aimed at the Match it names, if any, and around the
    CK date the profile holds (a date ahead is a booked exam)."""
    return build_plan(
        profile, today, match_year=asked.match_year, ck_booked=profile.step2_date, rules=rules
    )


def build_plan(
    profile: Profile,
    today: date,
    *,
    match_year: int | None = None,
    ck_booked: date | None = None,
    rules: Rules | None = None,
) -> Plan:
    """The dated plan for ``profile`` seen from ``today``.

    ``match_year`` is a Match the person asked for (honoured, with a note when it is tight);
    ``ck_booked`` the day of a booked, not yet taken CK.
    """
    rules = rules or default_rules()
    b = AdviceBuilder(rules, Question.PLAN)
    start = _month_start(today)
    booked = YearMonth.of(ck_booked) if ck_booked is not None and _ck_pending(profile) else None
    if booked is not None and booked < YearMonth.of(today):
        booked = None  # a past date is not a booking
    if booked is not None:
        start = min(start, booked)  # an exam late this month is still this month's
    spec = rules.specialties.get(profile.specialty) if profile.specialty else None
    target: int | None = None
    if spec is not None:
        target, target_figure = ck_target(rules, profile, spec)
        b.use_figure(target_figure)  # the checkpoint names it; "why?" cites where from
    years = profile.years_since_graduation(today)
    old = years is not None and years > (rules.figure("yog_concern_years").low or 0)

    # The first Match this person can reach.
    first = start.year + 1
    while True:
        plan = _schedule(rules, profile, start, _Cycle.of(rules, first), target, booked)
        if plan.fits or (booked is not None and booked <= plan.cycle.eras):
            break
        first += 1
    chosen = plan
    cycle_lines: list[str] = []
    if match_year is not None and match_year > first + MAX_MATCHES_AHEAD:
        # An input limit, not advice: no month-by-month plan decades ahead.
        cycle_lines.append(b.text("plan.target_far", asked_year=match_year, match_year=first))
        match_year = None
    if match_year is not None and match_year != first:
        asked = _Cycle.of(rules, match_year)
        if match_year < first and asked.eras < start:
            cycle_lines.append(
                b.text(
                    "plan.target_past",
                    missed_year=match_year,
                    month=asked.eras.label,
                    match_year=first,
                )
            )
        elif match_year < first and booked is not None:
            # The booked date decides: the asked Match's ERAS season opens before it.
            cycle_lines.append(
                b.text(
                    "plan.target_after_booked",
                    month=booked.label,
                    missed_year=match_year,
                    match_year=first,
                )
            )
        elif match_year < first:
            chosen = _schedule(rules, profile, start, asked, target, booked)
            low = _phase_bounds(rules)[0]
            shortest = _prep(rules, chosen.prep.start if chosen.prep else start.first_day, 0.0)
            cycle_lines.append(
                b.text(
                    "plan.target_tight",
                    match_year=match_year,
                    weeks=low,
                    month=YearMonth.of(shortest.exam_day).label,
                )
            )
        else:
            chosen = _schedule(rules, profile, start, asked, target, booked)
            cycle_lines.append(b.text("plan.target_later", match_year=match_year))
            if old:
                cycle_lines.append(b.text("yog.delay_cost"))
    cycle = chosen.cycle
    verdict_id, verdict_context = _cycle_statement(cycle, chosen, booked)
    b.verdict(verdict_id, **verdict_context)
    if match_year == first:
        cycle_lines.append(b.text("plan.target_ok", match_year=match_year))
    if cycle.match_year > start.year + 1 and match_year is None:
        missed = _Cycle.of(rules, cycle.match_year - 1)
        if missed.eras >= start:
            cycle_lines.append(
                b.text(
                    "plan.cycle_missed",
                    month=missed.eras.label,
                    missed_year=missed.match_year,
                    match_year=cycle.match_year,
                )
            )
            if old:
                cycle_lines.append(b.text("yog.delay_cost"))
    if booked is not None and booked > cycle.window_end:
        cycle_lines.append(b.text("plan.booked_late"))
    if booked is not None and chosen.prep is not None:
        low = _phase_bounds(rules)[0]
        available = _weeks_between(chosen.prep.start, booked.plus(1).first_day)
        if available < low:
            cycle_lines.append(b.text("plan.booked_short", weeks=available))
    cycle_lines.append(b.text("plan.months_only"))

    milestones = _milestones(b, profile, start, chosen, target, years)
    milestones = tuple(sorted(milestones, key=lambda m: (m.start, m.end, _ORDER[m.kind])))
    for m in milestones:
        b.line(m.text)
    for line in describe(rules, profile, today):
        b.fact(line)
    advice = b.build()
    head = [advice.verdict, *cycle_lines]
    return Plan(today, cycle.match_year, tuple(head), milestones, advice)


_ORDER = {kind: i for i, kind in enumerate(Kind)}
# How many Matches after the first reachable one a plan may aim at (an input limit: a
# student plans a few years ahead, as the parser's graduation-year limit allows).
MAX_MATCHES_AHEAD = 4


def _cycle_statement(
    cycle: _Cycle, sched: _Schedule, booked: YearMonth | None
) -> tuple[str, dict[str, object]]:
    """The verdict: which Match, and why (a statement id and its context)."""
    if booked is not None:
        return "plan.cycle_booked", {"match_year": cycle.match_year, "month": booked.label}
    if sched.ck is None:
        return "plan.cycle_score_in", {"match_year": cycle.match_year, "month": cycle.eras.label}
    return "plan.cycle_fits", {"match_year": cycle.match_year, "month": sched.ck.label}


@dataclass
class _Milestones:
    """Collects one plan's milestones; nothing is dated before ``start``."""

    b: AdviceBuilder
    profile: Profile
    start: YearMonth
    sched: _Schedule
    out: list[Milestone]

    def add(self, kind: Kind, first: YearMonth, last: YearMonth, text: str, *notes: str) -> None:
        # A phase already under way starts this month.
        first, last = max(first, self.start), max(last, self.start)
        self.out.append(Milestone(kind, first, last, text, tuple(notes)))


def _milestones(
    b: AdviceBuilder,
    profile: Profile,
    start: YearMonth,
    sched: _Schedule,
    target: int | None,
    years: int | None,
) -> list[Milestone]:
    m = _Milestones(b, profile, start, sched, [])
    cycle = sched.cycle
    if sched.step1_by is not None:
        statement = "plan.step1_retake" if profile.step1 == ExamStatus.FAILED else "plan.step1"
        by = max(sched.step1_by, start)
        m.add(Kind.STEP1, start, by, b.text(statement, months=start.until(by), month=by.label))

    if sched.prep is not None and sched.ck is not None:
        _ck_milestones(m, sched.prep, sched.ck, target, years)

    # USCE and letters run alongside, until ERAS opens.
    before_eras = cycle.eras.plus(-1)
    usce_id = "plan.usce_peds" if profile.specialty == "pediatrics" else "plan.usce"
    if start <= before_eras:
        m.add(Kind.USCE, start, before_eras, b.text(usce_id, months=start.until(before_eras)))

    if profile.visa == Visa.H1B and not (profile.step3 and profile.step3.passed):
        first = sched.ck.plus(1) if sched.ck is not None else start
        last = max(first, cycle.interviews_end)
        m.add(Kind.STEP3, first, last, b.text("plan.step3", months=first.until(last)))

    eras_text = b.text("plan.eras", month=cycle.eras.label)
    m.add(Kind.ERAS, cycle.eras, cycle.eras, eras_text, _signals_line(b, profile, cycle))
    interviews = cycle.interviews_start.until(cycle.interviews_end)
    m.add(
        Kind.INTERVIEWS,
        cycle.interviews_start,
        cycle.interviews_end,
        b.text("plan.interviews", months=interviews),
    )
    match_text = b.text("plan.match_day", month=cycle.match_day.label, match_year=cycle.match_year)
    m.add(Kind.MATCH_DAY, cycle.match_day, cycle.match_day, match_text)
    return m.out


def _span(first: date, weeks: int) -> tuple[YearMonth, YearMonth]:
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    return YearMonth.of(first), YearMonth.of(max(first, last))


def _ck_milestones(
    m: _Milestones, prep: _Prep, ck: YearMonth, target: int | None, years: int | None
) -> None:
    b, rules, cycle = m.b, m.b.rules, m.sched.cycle
    qbank_start = prep.start + timedelta(weeks=prep.foundation)
    refine_start = qbank_start + timedelta(weeks=prep.qbank)
    for kind, statement, first, weeks in (
        (Kind.FOUNDATION, "plan.foundation", prep.start, prep.foundation),
        (Kind.QBANK, "plan.qbank", qbank_start, prep.qbank),
        (Kind.REFINE, "plan.refine", refine_start, prep.refine),
    ):
        a, z = _span(first, weeks)
        m.add(kind, a, z, b.text(statement, months=a.until(z), weeks=weeks))

    # Practice exams once half the question bank is done.
    share = (rules.figure("practice_start_qbank").low or 0) / 100
    practice = YearMonth.of(qbank_start + timedelta(weeks=round(prep.qbank * share)))
    m.add(Kind.PRACTICE, practice, practice, b.text("plan.practice", month=practice.label))

    # The range estimate 4-6 weeks before the exam is also the postpone checkpoint.
    exam_day = min(prep.exam_day, ck.plus(1).first_day - timedelta(days=1))
    lead = int(rules.figure("self_assessment_lead_weeks").high or 0)
    estimate = min(max(YearMonth.of(exam_day - timedelta(weeks=lead)), practice), ck)
    estimate_text = b.text("plan.estimate", month=estimate.label)
    if target is None:
        m.add(Kind.CHECKPOINT, estimate, estimate, estimate_text)
    else:
        moved = ck.plus(int(rules.figure("postpone_extra_months").high or 0))
        if moved <= cycle.window_end:
            cost = b.text("plan.checkpoint_in_window", month=moved.label)
        elif moved < cycle.eras:
            cost = b.text("plan.checkpoint_after_window", month=moved.label)
        else:
            cost = b.text("plan.checkpoint_after_eras", month=moved.label)
        notes = [estimate_text, cost]
        if years is not None and years > (rules.figure("yog_concern_years").low or 0):
            notes.append(b.text("yog.delay_cost"))
        # The pediatrics article's rule (10-15 points, 1-2 months) for pediatrics; the
        # general article's hedge ("far below", "may be wiser") for every other field.
        spec = rules.specialties.get(m.profile.specialty or "")
        peds = spec is not None and spec.table == Table.PEDIATRICS
        statement = "plan.checkpoint" if peds else "plan.checkpoint_general"
        text = b.text(statement, month=estimate.label, target=target)
        m.add(Kind.CHECKPOINT, estimate, estimate, text, *notes)

    if m.profile.step2 == ExamStatus.FAILED:
        statement = "plan.ck_retake"
    elif m.sched.booked:
        statement = "plan.ck_booked"
    else:
        statement = "plan.ck"
    m.add(Kind.CK, ck, ck, b.text(statement, month=ck.label))


def _signals_line(b: AdviceBuilder, profile: Profile, cycle: _Cycle) -> str:
    """The latest signal figure for the specialty, with its Match; never another field's."""
    spec = b.rules.specialties.get(profile.specialty) if profile.specialty else None
    if spec is None:
        return b.text("plan.signals_unknown", specialty="your specialty")
    figure_id = spec.signals_figure
    if figure_id is None:
        return b.text("plan.signals_unknown", specialty=spec.name)
    signals = b.rules.figure_text(figure_id, b.rules.statement("plan.signals"))
    b.use_figure(figure_id)
    return b.text("plan.signals", specialty=spec.name, signals=signals, match_year=cycle.match_year)
