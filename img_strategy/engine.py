"""The strategy engine: a profile and a question in, structured advice out.

Pure and deterministic: no I/O beyond the rule tables loaded once, no randomness, no clock
(the caller passes ``today``). Each :class:`Question` names its handler in the question
registry (``img_strategy.questions``), which imports this module, not the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from img_strategy.advice import Advice, AdviceBuilder, ProgramRange
from img_strategy.asked import Asked
from img_strategy.passmarks import CkReading, CkResult, mark_on, read_ck
from img_strategy.profile import ExamStatus, Field, Profile, UsceKind, Visa
from img_strategy.tables import (
    Group,
    Outlook,
    Penalty,
    PenaltyKind,
    Rules,
    ScoreBand,
    Specialty,
    Table,
    default_rules,
)

if TYPE_CHECKING:  # the registry imports the handlers below
    from img_strategy.questions import Question

# --------------------------------------------------------------------------------------------
# What a question still needs


def missing(
    question: Question, profile: Profile, skipped: Collection[Field] = ()
) -> tuple[Field, ...]:
    """Facts ``question`` needs that ``profile`` lacks, in asking order.

    ``skipped`` are facts the user declined to give; they are never asked again. When CK is
    not taken yet, the practice-exam estimate takes its place.
    """
    out: list[Field] = []
    for needed in question.needs:
        if needed in skipped:
            continue
        if not _known(needed, profile):
            out.append(needed)
        elif (
            needed == Field.STEP2
            and profile.step2 == ExamStatus.NOT_TAKEN
            and profile.step2_practice is None
            and Field.STEP2_PRACTICE not in skipped
        ):
            out.append(Field.STEP2_PRACTICE)
    return tuple(out)


def _known(needed: Field, profile: Profile) -> bool:
    return {
        Field.SPECIALTY: profile.specialty is not None,
        Field.STEP1: profile.step1 is not None,
        Field.STEP2: profile.step2_known,
        Field.STEP2_PRACTICE: profile.step2_practice is not None,
        Field.STEP3: profile.step3 is not None,
        Field.VISA: profile.visa is not None,
        Field.GRADUATION_YEAR: profile.graduation_year is not None,
        Field.USCE: profile.usce_months is not None,
    }[needed]


# --------------------------------------------------------------------------------------------
# Assessment: the outlook for one specialty, with the rules behind it


@dataclass(frozen=True)
class Assessment:
    specialty: Specialty | None
    table: Table  # whose targets, counts and kinds refine the answer
    ck: int | None  # real CK, else the practice estimate
    ck_is_estimate: bool
    ck_reading: CkReading | None  # a real CK read against the pass mark of its date
    band: ScoreBand | None  # the general band: it sets the outlook for every field
    table_band: ScoreBand | None  # the specialty's own band (pediatrics wording)
    penalties: tuple[Penalty, ...]
    blocked_by: Field | None  # an exam that must be passed first
    outlook: Outlook | None

    @property
    def ck_depends_on_date(self) -> bool:
        return self.ck_reading is not None and self.ck_reading.result == CkResult.DEPENDS_ON_DATE

    @property
    def ck_passed(self) -> bool:
        """A real CK that counts as a pass (read as a pass when only the date decides)."""
        return self.ck_reading is not None and self.ck_reading.result != CkResult.FAIL


def assess(rules: Rules, profile: Profile, specialty_id: str | None, today: date) -> Assessment:
    """Outlook for ``specialty_id`` (or the general table), before any wording.

    One scale for every field: the general article's band sets the outlook, each penalty
    lowers it by its steps down to the floor (the general article's "very challenging"),
    and the group's cap applies last. The pediatrics tables only refine the wording.
    """
    specialty = rules.specialties.get(specialty_id) if specialty_id else None
    table = specialty.table if specialty else Table.GENERAL
    ck, estimate = _effective_ck(profile)
    reading = (
        read_ck(rules, profile.step2_score, profile.step2_date)
        if profile.step2_score is not None
        else None
    )

    blocked_by = None
    if profile.step1 == ExamStatus.FAILED:
        blocked_by = Field.STEP1
    elif (profile.step2 == ExamStatus.FAILED and profile.step2_score is None) or (
        reading is not None and reading.result == CkResult.FAIL
    ):
        blocked_by = Field.STEP2

    penalties = tuple(_penalties(rules, profile, today))
    band = rules.step2_outlook[Table.GENERAL].lookup(ck) if ck is not None else None
    table_band = rules.step2_outlook[table].lookup(ck) if ck is not None else None
    cap = rules.groups[specialty.group].cap if specialty is not None else Outlook.VERY_STRONG
    outlook: Outlook | None
    if blocked_by is not None:
        outlook = min(rules.outlook_floor, cap)
    elif band is None or band.outlook is None:
        outlook = None
    else:
        lowered = band.outlook - sum(p.steps for p in penalties)
        outlook = min(Outlook(max(rules.outlook_floor, lowered)), cap)
    return Assessment(
        specialty, table, ck, estimate, reading, band, table_band, penalties, blocked_by, outlook
    )


def _effective_ck(profile: Profile) -> tuple[int | None, bool]:
    if profile.step2_score is not None:
        return profile.step2_score, False
    if profile.step2 in (None, ExamStatus.NOT_TAKEN) and profile.step2_practice is not None:
        return profile.step2_practice, True
    return None, False


def _penalties(rules: Rules, profile: Profile, today: date) -> list[Penalty]:
    found = []
    for failures, once, repeatedly in (
        (
            profile.step1_failures,
            PenaltyKind.STEP1_FAILED_ONCE,
            PenaltyKind.STEP1_FAILED_REPEATEDLY,
        ),
        (
            profile.step2_failures,
            PenaltyKind.STEP2_FAILED_ONCE,
            PenaltyKind.STEP2_FAILED_REPEATEDLY,
        ),
    ):
        if failures:
            found.append(rules.penalties[repeatedly if failures > 1 else once])
    years = profile.years_since_graduation(today)
    if years is not None and years > (rules.figure("yog_concern_from").value or 0):
        found.append(rules.penalties[PenaltyKind.YOG_BEYOND_CONCERN])
    if profile.visa == Visa.H1B:
        found.append(rules.penalties[PenaltyKind.H1B_ONLY])
    return found


def program_range(
    rules: Rules, profile: Profile, assessment: Assessment
) -> tuple[ProgramRange, list[tuple[str, str]]]:
    """Recommended number of programs, and the (rule id, source id) pairs that set it."""
    table = assessment.table
    if table == Table.GENERAL:
        band = rules.program_count[table].lookup(assessment.ck or 1)
        low = int(rules.figure(band.low_figure or "").value or 0)
        return ProgramRange(low, None), [(band.id, band.source)]
    if assessment.ck is None:
        common = rules.figure("peds_programs_common")
        chosen = ProgramRange(int(common.low or 0), int(common.high or 0))
        fired = [("figure.peds_programs_common", common.source)]
    else:
        band = rules.program_count[table].lookup(assessment.ck)
        chosen = ProgramRange(band.low_count or 0, band.high_count)
        fired = [(band.id, band.source)]
    if profile.step1_failures or profile.step2_failures:
        for floor in rules.count_floors:
            candidate = ProgramRange(floor.low, floor.high)
            if floor.table == table and not candidate.at_most_as_large_as(chosen):
                chosen = candidate
                fired.append((floor.id, floor.source))
    return chosen, fired


def ck_target(rules: Rules, profile: Profile, specialty: Specialty) -> tuple[int, str]:
    """The CK this applicant should aim at for ``specialty`` (the low end of its range),
    and the figure it comes from."""
    figure_id = specialty.target_figure or rules.groups[specialty.group].target_figure
    if profile.step1_failures or profile.step2_failures:
        fail_figure = rules.score_tables[specialty.table].fail_target_figure
        if (rules.figure(fail_figure).low or 0) > (rules.figure(figure_id).low or 0):
            figure_id = fail_figure
    return int(rules.figure(figure_id).low or 0), figure_id


def hypothetical(
    profile: Profile, changes: dict[str, Any], rules: Rules | None = None
) -> Profile | None:
    """The profile a "what if" asks about, as a changed copy.

    With no changes ("what if my score were higher?") the CK, else the practice score, is
    raised by the gain the guidance says extra preparation can bring; ``None`` when there is
    no score to raise. A hypothetical CK counts as a passed exam.
    """
    rules = rules or default_rules()
    if not changes:
        gain = int(rules.figure("postpone_gain_points").low or 0)
        top = int(rules.figure("score_scale").high or 0)
        if profile.step2_score is not None:
            changes = {"step2_score": min(top, profile.step2_score + gain)}
        elif profile.step2_practice is not None:
            changes = {"step2_practice": min(top, profile.step2_practice + gain)}
        else:
            return None
    changed = profile.with_changes(**changes)
    not_passed = (None, ExamStatus.NOT_TAKEN, ExamStatus.FAILED)
    if changed.step2_score is not None and changed.step2 in not_passed:
        changed = changed.with_changes(step2=ExamStatus.PASSED)
    return changed


# --------------------------------------------------------------------------------------------
# Describing the profile


def describe(rules: Rules, profile: Profile, today: date) -> tuple[str, ...]:
    """One short line per known fact, as the advisor would read them back."""
    lines: list[str] = []
    if profile.specialty:
        spec = rules.specialties.get(profile.specialty)
        lines.append(f"Target specialty: {spec.name if spec else profile.specialty}")
    if profile.step1 is not None or profile.step1_score is not None:
        lines.append("Step 1: " + _exam_text(profile.step1, profile.step1_attempts))
        if profile.step1_score is not None:
            lines[-1] += f" (score {profile.step1_score})"
    if profile.step2_score is not None or profile.step2 is not None:
        text = _exam_text(profile.step2, profile.step2_attempts)
        if profile.step2_score is not None:
            text = f"{profile.step2_score}" + (
                "" if profile.step2 in (None, ExamStatus.PASSED) else f" ({text})"
            )
        lines.append("Step 2 CK: " + text)
    if profile.step2_practice is not None:
        lines.append(f"Step 2 CK practice estimate: {profile.step2_practice}")
    if profile.step3 is not None:
        lines.append("Step 3: " + _exam_text(profile.step3, None))
    if profile.visa is not None:
        lines.append("Visa: " + profile.visa.label)
    if profile.graduation_year is not None:
        years = profile.years_since_graduation(today)
        lines.append(f"Graduated: {profile.graduation_year} ({years} years ago)")
    if profile.usce_months is not None:
        text = _months(profile.usce_months)
        if profile.usce_kind is not None:
            text += ", " + (
                "hands-on" if profile.usce_kind == UsceKind.HANDS_ON else "observership"
            )
        if profile.usce_specialty:
            spec = rules.specialties.get(profile.usce_specialty)
            text += f", in {spec.name if spec else profile.usce_specialty}"
        lines.append("US clinical experience: " + text)
    if profile.us_letters is not None:
        lines.append(f"US letters: {profile.us_letters}")
    if profile.research_count is not None:
        lines.append(f"Research items: {profile.research_count}")
    return tuple(lines)


def _exam_text(status: ExamStatus | None, attempts: int | None) -> str:
    if status is None:
        return f"{attempts} attempt(s)" if attempts else "unknown"
    if status == ExamStatus.FAILED_THEN_PASSED:
        failures = max(1, (attempts or 2) - 1)
        return "passed after " + ("one fail" if failures == 1 else f"{failures} fails")
    if status == ExamStatus.PASSED and attempts and attempts > 1:
        return f"passed on attempt {attempts}"
    return {
        ExamStatus.PASSED: "passed first time",
        ExamStatus.FAILED: "failed, not yet passed",
        ExamStatus.NOT_TAKEN: "not taken yet",
    }[status]


def _months(months: int) -> str:
    return "no months" if months == 0 else f"{months} month" + ("" if months == 1 else "s")


# --------------------------------------------------------------------------------------------
# Handlers


@dataclass
class _Ctx:
    rules: Rules
    profile: Profile
    today: date
    b: AdviceBuilder
    asked: Asked = field(default_factory=Asked)  # what the question named ("IM or FM?")

    @property
    def specialty(self) -> Specialty | None:
        sid = self.profile.specialty
        return self.rules.specialties.get(sid) if sid else None

    @property
    def years(self) -> int | None:
        return self.profile.years_since_graduation(self.today)

    @property
    def is_peds(self) -> bool:
        spec = self.specialty
        return spec is not None and spec.table == Table.PEDIATRICS

    def outlook_word(self, outlook: Outlook) -> str:
        return self.b.text(f"outlook.{outlook.name.lower()}")

    def exam_name(self, exam: Field) -> str:
        return self.rules.statement(f"exam.{exam.value}").text

    def kinds(self, kind_ids: list[str]) -> None:
        self.b.say_list("count.kinds_intro", [f"kind.{k}" for k in kind_ids])

    def date_readings(self, a: Assessment) -> dict[str, str]:
        """Context for the ``ck.both_readings*`` statements: the day a date-dependent CK
        stopped passing and the pass mark before it (both figures, recorded as used)."""
        reading = a.ck_reading
        assert reading is not None and reading.cutoff and reading.mark_before
        cutoff_figure = f"{reading.cutoff.figure}_date"
        self.b.use_figure(cutoff_figure)
        self.b.use_figure(reading.mark_before.figure)
        return {
            "ck": str(a.ck),
            "cutoff_date": self.rules.figure(cutoff_figure).display,
            "pass_mark": self.rules.figure(reading.mark_before.figure).display,
        }


def _chances(c: _Ctx) -> None:
    spec, p = c.specialty, c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    c.b.table, c.b.outlook = a.table, a.outlook
    name = spec.name if spec else None
    if a.band is not None:
        c.b.cite(a.band.id, a.band.source)
    if spec is None:
        c.b.verdict("verdict.no_specialty")
        if a.band is not None:
            c.b.say(a.band.statement)
        c.b.say("target.gen_filters")
        return
    if a.blocked_by:
        c.b.verdict("verdict.chances_blocked", specialty=name, exam=c.exam_name(a.blocked_by))
        _blocked_lines(c, a.blocked_by)
        return
    if a.outlook is None:
        c.b.verdict("verdict.chances_no_ck", specialty=name)
        c.b.say("fact.ck_primary")
        c.b.say("target.peds_filters" if c.is_peds else "target.gen_filters")
        _penalty_lines(c, a)
        return
    if a.ck_depends_on_date:
        c.b.verdict(
            "ck.both_readings",
            specialty=name,
            outlook=c.outlook_word(a.outlook),
            **c.date_readings(a),
        )
        c.b.say("ck.ask_date")
    elif a.ck_is_estimate:
        c.b.verdict(
            "verdict.chances_estimate",
            specialty=name,
            practice=a.ck,
            outlook=c.outlook_word(a.outlook),
        )
        c.b.assume("The outlook uses your practice-exam estimate, not a real CK score.")
    else:
        c.b.verdict("verdict.chances", specialty=name, outlook=c.outlook_word(a.outlook))
    _passed_on_date_line(c, a)
    band = a.table_band if c.is_peds else a.band
    c.b.say(band.statement)  # type: ignore[union-attr]
    if c.is_peds:
        c.b.say("fact.peds_img_friendly")
    else:
        c.b.say(c.rules.groups[spec.group].statement, specialty=name)
    _dated_specialty_lines(c, spec)
    _penalty_lines(c, a)
    _legacy_step1_lines(c, a)
    if p.visa in (Visa.J1, Visa.EITHER, Visa.H1B):
        c.b.say("flag.visa_limits")
    if a.outlook <= Outlook.SIGNIFICANT_CHALLENGE and c.is_peds:
        # Pediatrics Case 3 and FAQ 2-3: very broad lists at community, smaller and newer
        # programs.
        count, fired = program_range(c.rules, p, a)
        c.b.program_count = count
        for rule_id, source in fired:
            c.b.cite(rule_id, source)
        c.b.say("count.verdict", count=count.display, specialty=name)
        c.kinds(list(c.rules.program_kinds[Table.PEDIATRICS].lookup(a.ck or 1).kinds))
    if a.outlook <= Outlook.CHALLENGING:
        c.b.say("recovery.usce")
        if not p.step1_failures:  # the fail branch already listed where to apply
            c.b.say("recovery.targets")
    elif p.usce_months in (None, 0):
        c.b.say("usce.role")


def _passed_on_date_line(c: _Ctx, a: Assessment) -> None:
    """A CK under today's pass mark that passed on the day it was taken says so."""
    p = c.profile
    if p.step2_date is None or p.step2_score is None or not a.ck_passed:
        return
    current = c.rules.figure("ck_passing_score")
    if p.step2_score >= (current.value or 0):
        return
    mark = mark_on(c.rules, p.step2_date)
    c.b.use_figure(mark.figure)
    c.b.say(
        "ck.passed_then",
        taken=p.step2_date.strftime("%B %Y"),
        pass_mark=c.rules.figure(mark.figure).display,
        ck=p.step2_score,
    )


def _dated_specialty_lines(c: _Ctx, spec: Specialty) -> None:
    """Cycle figures for one specialty (F21, F22); none is borrowed from another field."""
    if spec.img_share_figure:
        c.b.use_figure(spec.img_share_figure)
        c.b.say("fact.img_share", share=_figure_in(c, spec.img_share_figure, "fact.img_share"))
    if spec.id == "family_medicine":
        c.b.say("fact.fm_charting")


def _figure_in(c: _Ctx, figure_id: str, statement_id: str) -> str:
    return c.rules.figure_text(figure_id, c.rules.statement(statement_id))


def _blocked_lines(c: _Ctx, exam: Field) -> None:
    p = c.profile
    c.b.say("flag.step1_not_passed" if exam == Field.STEP1 else "flag.step2_not_passed")
    c.b.say("retake.failed")
    attempts = p.step1_attempts if exam == Field.STEP1 else p.step2_attempts
    _attempts_left(c, attempts)


def _attempts_left(c: _Ctx, attempts: int | None) -> None:
    if attempts:
        limit = int(c.rules.figure("max_attempts").value or 0)
        c.b.say("flag.attempts_left", attempts=attempts, attempts_left=max(0, limit - attempts))
    else:
        c.b.say("retake.limit")


def _penalty_lines(c: _Ctx, a: Assessment) -> None:
    p = c.profile
    for penalty in a.penalties:
        c.b.cite(penalty.id, penalty.source)
        if penalty.kind == PenaltyKind.YOG_BEYOND_CONCERN:
            c.b.say(penalty.statement, years=c.years)
        elif penalty.kind == PenaltyKind.STEP1_FAILED_REPEATEDLY:
            c.b.say(penalty.statement, failures=p.step1_failures)
        elif penalty.kind == PenaltyKind.STEP2_FAILED_REPEATEDLY:
            c.b.say(penalty.statement, failures=p.step2_failures)
        else:
            c.b.say(penalty.statement)
        if penalty.kind in (PenaltyKind.STEP1_FAILED_ONCE, PenaltyKind.STEP1_FAILED_REPEATEDLY):
            if c.is_peds:
                c.b.say("flag.peds_fail_possible")
                c.b.say("flag.peds_fail_hospitals")
                c.b.say("flag.step1_fail_peds")
                c.kinds(["peds_community", "peds_affiliated", "peds_fail_focus"])
            else:
                c.b.say("target.counterbalance")
                c.b.say("fact.ck_offsets")
            c.b.say("statement.own_it")


def _legacy_step1_lines(c: _Ctx, a: Assessment) -> None:
    p = c.profile
    if p.step1_score is None:
        return
    _declining_lines(c, a)
    if c.is_peds:
        band = c.rules.legacy_step1[Table.PEDIATRICS].lookup(p.step1_score)
        c.b.cite(band.id, band.source)
        c.b.say(band.statement, step1_score=p.step1_score)
        if p.step1_score < (c.rules.figure("peds_legacy_academic_concern").value or 0):
            c.b.say("target.legacy_academic")


def _declining_lines(c: _Ctx, a: Assessment) -> None:
    """A real CK significantly below a legacy numeric Step 1 reads as a decline: at least
    one standard deviation of CK scores, the smallest gap read as significant."""
    step1 = c.profile.step1_score
    if step1 is None or a.ck is None or a.ck_is_estimate:
        return
    gap = step1 - a.ck
    if gap >= (c.rules.figure("ck_sd_points").value or 0):
        c.b.say("flag.declining", ck=a.ck, step1_score=step1, gap=gap)


def _target_score(c: _Ctx) -> None:
    spec, p = c.specialty, c.profile
    if spec is None:
        c.b.verdict("verdict.no_specialty")
        c.b.say("target.gen_filters")
        c.b.say("target.peds_filters")
        c.b.say("target.not_a_cutoff")
        return
    c.b.table = spec.table
    if spec.group == Group.HIGHLY_COMPETITIVE:
        c.b.verdict("target.competitive_field", specialty=spec.name)
        c.b.say("realism.competitive_note")
        return
    if c.is_peds:
        c.b.verdict("target.verdict_peds")
        c.b.say("target.peds_filters")
        c.b.say("fact.peds_ck_weight")
        if p.step1_failures:
            c.b.say("target.peds_fail")
    else:
        target, target_figure = ck_target(c.rules, p, spec)
        c.b.use_figure(target_figure)
        c.b.verdict("target.verdict_general", specialty=spec.name, target=target)
        c.b.say("target.gen_filters")
        if spec.group != Group.CORE:
            c.b.say(c.rules.groups[spec.group].statement, specialty=spec.name)
        if p.step1_failures:
            c.b.say("target.counterbalance")
        if spec.id == "family_medicine":
            c.b.say("fact.fm_charting")
    if p.step1_score is not None:
        c.b.say("fact.step1_pf")
        if c.is_peds:
            _legacy_step1_lines(c, assess(c.rules, p, spec.id, c.today))
        c.b.say("target.upward_trend")
    ck, _ = _effective_ck(p)
    if ck is not None:
        band = c.rules.step2_outlook[spec.table].lookup(ck)
        c.b.cite(band.id, band.source)
        c.b.say(band.statement)
    c.b.say("target.not_a_cutoff")
    c.b.say("target.us_average")
    c.b.say("target.passing")


def _realistic_specialties(c: _Ctx) -> None:
    """Fields in the general article's order of attainability: a better outlook first, and
    between equal outlooks the article's order (FM, IM, Peds, then Psych and Neuro)."""
    p = c.profile
    ranked: list[tuple[Outlook, int, Specialty]] = []
    for order, sid in enumerate(c.rules.realism_candidates):
        a = assess(c.rules, p, sid, c.today)
        if a.outlook is not None:
            ranked.append((a.outlook, order, c.rules.specialties[sid]))
    general = assess(c.rules, p, None, c.today)
    c.b.table = Table.GENERAL
    if not ranked:
        c.b.verdict("verdict.chances_no_ck", specialty="every specialty")
        c.b.say("fact.ck_primary")
        c.b.say("target.gen_filters")
        c.b.say("realism.competitive_note")
        return
    ranked.sort(key=lambda item: (-item[0], item[1]))
    best = ranked[0][0]
    c.b.outlook = best
    if best <= c.rules.outlook_floor:
        c.b.verdict("realism.verdict_none")
    else:
        # The top group: the best outlook within the article's first group that reaches it.
        best_group = ranked[0][2].group
        top = [s.name for o, _, s in ranked if o == best and s.group == best_group]
        c.b.verdict("realism.verdict", specialty=_join(top))
    if general.ck_depends_on_date:
        c.b.say("ck.both_readings_general", **c.date_readings(general))
        c.b.say("ck.ask_date")
    for outlook, _, spec in ranked:
        c.b.say("realism.line", specialty=spec.name, outlook=c.outlook_word(outlook))
    if general.band is not None:
        c.b.cite(general.band.id, general.band.source)
        band_id = general.band.id
        if general.blocked_by:
            _blocked_lines(c, general.blocked_by)
        elif band_id == "gen_below_220" or best <= c.rules.outlook_floor:
            c.b.say("realism.prelim")
        elif band_id == "gen_220s":
            c.b.say("realism.community_heavy")
        elif not general.penalties and band_id in ("gen_240s", "gen_250_plus"):
            c.b.say("realism.academic_ok")
    for sid in c.rules.realism_candidates[:2]:  # FM and IM: the IMG share of positions
        _dated_specialty_lines(c, c.rules.specialties[sid])
    _penalty_lines(c, general)
    c.b.say("realism.competitive_note")


def _programs(c: _Ctx) -> None:
    spec, p = c.specialty, c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    c.b.table, c.b.outlook = a.table, a.outlook
    count, fired = program_range(c.rules, p, a)
    c.b.program_count = count
    for rule_id, source in fired:
        c.b.cite(rule_id, source)
    name = spec.name if spec else "residency"
    if a.table == Table.PEDIATRICS:
        c.b.verdict("count.verdict", count=count.display, specialty=name)
        if a.ck is not None:
            c.b.say(c.rules.program_count[Table.PEDIATRICS].lookup(a.ck).statement)
        if p.step1_failures or p.step2_failures:
            c.b.say("count.peds_red_flag")
        c.b.say("count.peds_common")
    else:
        c.b.verdict("count.verdict_general")
    if a.ck is not None:  # the kinds of program come first: they matter most for a low CK
        kinds_band = c.rules.program_kinds[a.table].lookup(a.ck)
        c.b.cite(kinds_band.id, kinds_band.source)
        kinds = list(kinds_band.kinds)
        if p.step1_failures and c.is_peds:
            kinds.append("peds_fail_focus")
        if p.visa in (Visa.J1, Visa.EITHER) and "j1_sponsoring" not in kinds:
            kinds.append("j1_sponsoring")
        c.kinds(kinds)
    if a.table == Table.GENERAL:
        c.b.say("count.general")
    if a.blocked_by:
        _blocked_lines(c, a.blocked_by)
    if p.visa == Visa.H1B:
        c.b.say("flag.h1b_only")
        c.b.say("visa.verdict_h1b")
    if a.outlook is not None and a.outlook < Outlook.STRONG:
        c.b.say("count.deemphasise")
    c.b.say("count.interviews")
    c.b.say("count.public_data")


def _postpone(c: _Ctx) -> None:
    spec, p = c.specialty, c.profile
    spec = spec or c.rules.specialties["internal_medicine"]
    if c.profile.specialty is None:
        c.b.assume("No specialty given: the general (core specialty) target is used.")
    target, target_figure = ck_target(c.rules, p, spec)
    c.b.use_figure(target_figure)
    c.b.table = spec.table
    years = c.years
    yog_from = c.rules.figure("yog_concern_from").value or 0
    if p.step2_score is not None:
        a = assess(c.rules, p, spec.id, c.today)
        c.b.verdict("postpone.verdict_taken")
        if a.blocked_by:
            _blocked_lines(c, a.blocked_by)
            return
        c.b.say("postpone.apply_now" if p.step2_score >= target else "postpone.delay_value")
        if p.step2_score < target:
            c.b.say("step3.verdict_helps")  # a low *passed* CK: Step 3 can show more
        if years is not None and years > yog_from:
            c.b.say("postpone.yog_cost", years=years)
        return
    practice = p.step2_practice
    if practice is None:
        c.b.verdict("postpone.verdict_no_practice", target=target)
        c.b.say("postpone.rule_gap" if c.is_peds else "postpone.gen_consider")
        c.b.say("postpone.rule_general")
        c.b.say("prep.practice_start")
        return
    gap = target - practice
    if c.is_peds:
        _postpone_peds(c, practice, gap, target)
    else:
        _postpone_general(c, practice, gap, target)
    if years is not None and years > yog_from and gap > 0:
        c.b.say("postpone.yog_cost", years=years)


def _postpone_peds(c: _Ctx, practice: int, gap: int, target: int) -> None:
    """Pediatrics article: seriously consider a delay more than 10-15 points under the
    target range, or under about 225 when aiming at this cycle."""
    gap_low = c.rules.figure("postpone_gap_points").low or 0
    floor = c.rules.figure("postpone_peds_floor").value or 0
    if gap > gap_low or practice < floor:
        c.b.verdict("postpone.verdict_delay", practice=practice, gap=gap, target=target)
        c.b.say("postpone.extra_months")
        c.b.say("postpone.delay_year")
    elif gap > 0:
        c.b.verdict("postpone.verdict_consider", practice=practice, gap=gap, target=target)
    else:
        c.b.verdict("postpone.verdict_keep", practice=practice, target=target)
    c.b.say("postpone.rule_gap")
    c.b.say("postpone.rule_floor")
    c.b.say("postpone.content_gaps")


def _postpone_general(c: _Ctx, practice: int, gap: int, target: int) -> None:
    """General article: when practice exams predict far below what you need (its example:
    under 220 when you need 235+), it may be wiser to delay."""
    far_below = c.rules.figure("practice_far_below_example").value or 0
    if practice < far_below and gap > 0:
        c.b.verdict("postpone.verdict_delay_general", practice=practice, target=target)
    elif gap > 0:
        c.b.verdict("postpone.verdict_consider", practice=practice, gap=gap, target=target)
    else:
        c.b.verdict("postpone.verdict_keep", practice=practice, target=target)
    c.b.say("postpone.rule_general")
    c.b.say("postpone.gen_consider")


def _ck_timing(c: _Ctx) -> None:
    p = c.profile
    c.b.verdict("timing.verdict")
    c.b.say("timing.why")
    if p.step1 == ExamStatus.NOT_TAKEN:
        c.b.say("timing.step1_gap")
    if p.step1_failures or (
        p.step1_score is not None
        and p.step1_score < (c.rules.figure("peds_legacy_academic_concern").value or 0)
    ):
        c.b.say("timing.weak_profile")
    c.b.say("timing.late")
    c.b.say("timing.no_score")
    c.b.say("timing.cycle")


def _preparation(c: _Ctx) -> None:
    p = c.profile
    c.b.verdict("prep.verdict")
    if p.step1 in (ExamStatus.NOT_TAKEN, ExamStatus.FAILED):
        c.b.say("prep.step1_first")
        if c.is_peds:
            c.b.say("prep.step1_peds_topics")
        c.b.say("timing.step1_gap")
    c.b.say("prep.foundation")
    c.b.say("prep.qbank")
    c.b.say("prep.refine")
    c.b.say("prep.practice_start")
    if c.is_peds:
        c.b.say("prep.peds_passes")
    c.b.say("prep.resources")
    c.b.say("prep.focus")
    if p.graduation_year is not None:
        c.b.say("prep.clinical_base")


def _retake(c: _Ctx) -> None:
    p = c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    if a.blocked_by is not None:
        c.b.verdict("retake.failed")
    elif a.ck_depends_on_date:
        c.b.verdict("ck.both_readings_retake", **c.date_readings(a))
    else:
        c.b.verdict("retake.passed")
    _ck_standing_lines(c, a)
    if a.blocked_by is None:
        c.b.say("retake.instead")
        if p.step1 is None and p.step2 is None:
            c.b.say("retake.failed")
        c.b.say("retake.limit")
    c.b.say("fact.clean_transcript")


def _ck_standing_lines(c: _Ctx, a: Assessment, reading: str | None = None) -> None:
    """What must happen first: pass a failed exam, or say when a date-dependent CK was
    taken (after ``reading``, the statement giving both readings, when the verdict did not);
    a CK that passed under an older mark says so."""
    if a.blocked_by is not None:
        _blocked_lines(c, a.blocked_by)
    elif a.ck_depends_on_date:
        if reading is not None:
            c.b.say(reading, **c.date_readings(a))
        c.b.say("ck.ask_date")
    else:
        _passed_on_date_line(c, a)


def _recovery(c: _Ctx) -> None:
    p = c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    c.b.table, c.b.outlook = a.table, a.outlook
    c.b.verdict("recovery.verdict")
    _ck_standing_lines(c, a, "ck.both_readings_general")
    c.b.say("recovery.analyse")
    c.b.say("recovery.low_defined")
    _declining_lines(c, a)
    if p.step2_score is not None and not a.blocked_by:
        c.b.say("retake.passed")
        c.b.say("retake.instead")
    c.b.say("recovery.context")
    c.b.say("recovery.usce")
    c.b.say("recovery.letters")
    c.b.say("recovery.research")
    c.b.say("recovery.targets")
    low = c.rules.figure("ck_low_threshold").value or 0
    if a.ck_passed and a.ck is not None and a.ck < low:  # Step 3 is for a low *passed* CK
        c.b.say("step3.verdict_helps")
        c.b.say("step3.caution")
    c.b.say("statement.own_it")
    if a.outlook is not None and a.outlook <= Outlook.SIGNIFICANT_CHALLENGE:
        c.b.say("recovery.two_cycle")
    c.b.say("recovery.apply_broadly")


def _step3(c: _Ctx) -> None:
    p = c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    ck = a.ck
    low = c.rules.figure("ck_low_threshold").value or 0
    modest = c.rules.figure("gen_band_240").low or 0
    low_passed_ck = a.ck_passed and ck is not None and ck < low
    if p.step3 is not None and p.step3.passed:
        c.b.verdict("step3.verdict_done")
    elif p.visa == Visa.H1B:
        c.b.verdict("step3.verdict_h1b")
    elif a.blocked_by is not None:
        c.b.verdict(
            "verdict.chances_blocked", specialty="residency", exam=c.exam_name(a.blocked_by)
        )
        _blocked_lines(c, a.blocked_by)
    elif low_passed_ck:
        c.b.verdict("step3.verdict_helps")
    else:
        c.b.verdict("step3.verdict_optional")
    c.b.say("step3.helps")
    c.b.say("step3.caution")
    if p.visa in (Visa.H1B, Visa.EITHER, None):
        c.b.say("step3.h1b_rule")
    if ck is not None and ck < modest and p.visa in (Visa.EITHER, Visa.J1, None):
        c.b.say("step3.modest_ck")


def _visa(c: _Ctx) -> None:
    p = c.profile
    ck, _ = _effective_ck(p)
    modest = c.rules.figure("gen_band_240").low or 0
    verdict = {
        Visa.J1: "visa.verdict_j1",
        Visa.H1B: "visa.verdict_h1b",
        Visa.EITHER: "visa.verdict_either",
        Visa.NONE: "visa.verdict_none",
        None: "visa.verdict_unknown",
    }[p.visa]
    c.b.verdict(verdict)
    if p.visa == Visa.NONE:
        return
    if p.visa in (Visa.J1, Visa.EITHER, None):
        c.b.say("visa.j1_requirements")
        c.b.say("visa.j1_pathways")
        c.b.say("visa.j1_home")
    if p.visa in (Visa.H1B, Visa.EITHER, None):
        c.b.say("visa.h1b_requirements")
        c.b.say("visa.h1b_share")
        c.b.say("visa.h1b_fee")
        c.b.say("visa.h1b_fee_scope")
        if p.step3 is None or not p.step3.passed:
            c.b.say("step3.verdict_h1b")
    if ck is not None and ck < modest and p.visa in (Visa.H1B, Visa.EITHER):
        c.b.say("visa.modest_ck")
    c.b.say("visa.filter")
    c.b.say("visa.communicate")


def _graduation_year(c: _Ctx) -> None:
    yog_lines(c, c.b.verdict)


def yog_lines(c: _Ctx, first: Callable[..., None]) -> None:
    """What the year of graduation means for this profile; ``first`` says the opening line
    (the verdict here, a plain line when another question leads, e.g. age)."""
    years = c.years
    concern_from = c.rules.figure("yog_concern_from").value or 0
    yog = c.rules.figure("yog_concern_years")
    if years is None:
        first("yog.verdict_unknown")
    elif years <= concern_from:
        first("yog.verdict_fresh", years=years)
    elif years <= (yog.high or 0):
        first("yog.verdict_caution", years=years)
    else:
        first("yog.verdict_old", years=years)
    if years is None or years > concern_from:
        c.b.say("yog.aggressive")
        c.b.say("yog.recent_usce")
    c.b.say("yog.filter")
    c.b.say("yog.delay_cost")


def _usce_letters(c: _Ctx) -> None:
    p = c.profile
    months = p.usce_months
    if months is None:
        c.b.verdict("usce.verdict_unknown")
    elif months == 0:
        c.b.verdict("usce.verdict_none")
    elif p.usce_kind == UsceKind.OBSERVERSHIP:
        c.b.verdict("usce.verdict_observer", usce_months_text=_months(months))
    else:
        c.b.verdict("usce.verdict_ok", usce_months_text=_months(months))
    c.b.say("usce.role")
    c.b.say("usce.hands_on")
    if c.is_peds:
        c.b.say("usce.peds_months")
        c.b.say("usce.peds_letters")
        c.b.say("usce.peds_cv")
        c.b.say("usce.commitment")
    else:
        c.b.say("usce.letters")
    c.b.say("usce.research")


def _signaling(c: _Ctx) -> None:
    """Signal counts belong to one specialty and one Match; a field without a figure says
    so rather than borrowing another's (the pediatrics article's 5-10 is pediatrics-only)."""
    spec = c.specialty
    if spec is None:
        c.b.verdict("signal.verdict_unknown")
    elif spec.signals_figure is None:
        c.b.verdict("signal.no_figure", specialty=spec.name)
    else:
        c.b.use_figure(spec.signals_figure)
        c.b.verdict(
            "signal.verdict",
            specialty=spec.name,
            signals=_figure_in(c, spec.signals_figure, "signal.verdict"),
        )
    if spec is not None and spec.id == "internal_medicine":
        c.b.say("signal.im_prelim")
    if c.is_peds:
        c.b.say("signal.peds_article")
    c.b.say("signal.pd_survey")
    c.b.say("signal.connection")
    c.b.say("signal.early")
    c.b.say("signal.emails")
    c.b.say("visa.communicate")


def _personal_statement(c: _Ctx) -> None:
    p = c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    low = c.rules.figure("ck_low_threshold").value or 0
    issues = []
    if p.step1_failures:
        issues.append("Step 1 fail")
    if p.step2_failures or a.blocked_by == Field.STEP2:
        issues.append("Step 2 CK attempts")
    elif p.step2_score is not None and p.step2_score < low:
        issues.append("low Step 2 CK")
    name = c.specialty.name if c.specialty else "your specialty"
    if issues:
        c.b.verdict("statement.verdict_flag", exam=_join(issues))
        c.b.say("statement.own_it")
        c.b.say("statement.evidence")
        c.b.say("statement.addendum")
        c.b.say("statement.interview")
    else:
        c.b.verdict("statement.verdict_clean", specialty=name)
    c.b.say("statement.background")
    c.b.say("statement.not_all_scores")


def _match_stats(c: _Ctx) -> None:
    c.b.verdict("stats.verdict")
    c.b.say("stats.history")
    c.b.say("stats.img_2024")
    c.b.say("stats.compare")
    c.b.say("count.interviews")
    c.b.say("stats.strategy")


# A question's handler says its answer through ``ctx.b``; one that builds a whole answer of
# its own (the dated plan) returns it instead.
Handler = Callable[[_Ctx], Advice | None]


@dataclass(frozen=True)
class Recite:
    """A handler for a question answered by the guidance alone, the same for everyone: a
    verdict statement, then further statements in order (declared in the registry)."""

    verdict: str
    says: tuple[str, ...] = ()

    def __call__(self, c: _Ctx) -> None:
        c.b.verdict(self.verdict)
        for statement_id in self.says:
            c.b.say(statement_id)


def advise(
    question: Question,
    profile: Profile,
    *,
    today: date,
    rules: Rules | None = None,
    asked: Asked | None = None,
) -> Advice:
    """Answer ``question`` for ``profile``. Same inputs, same advice, byte for byte.
    ``asked`` is what the question itself named (the specialties to compare, the kind of
    uncovered question); only the handlers of those questions read it."""
    rules = rules or default_rules()
    builder = AdviceBuilder(rules, question, today=today)
    ctx = _Ctx(rules, profile, today, builder, asked or Asked())
    whole = question.spec.handler(ctx)
    if whole is not None:  # a handler that builds its whole answer itself (the plan)
        return whole
    for line in describe(rules, profile, today):
        builder.fact(line)
    return builder.build()


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
