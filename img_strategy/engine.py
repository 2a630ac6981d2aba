"""The strategy engine: a profile and a question in, structured advice out.

Pure and deterministic: no I/O beyond the rule tables loaded once, no randomness, no clock
(the caller passes ``today``). Each :class:`Question` has exactly one handler below.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from img_strategy.advice import Advice, AdviceBuilder, ProgramRange
from img_strategy.profile import ExamStatus, Field, Profile, UsceKind, Visa
from img_strategy.questions import Question
from img_strategy.tables import Band, Outlook, Penalty, Rules, Specialty, default_rules

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
            and profile.step2 is not None
            and profile.step2.awaiting_score
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
    table: str  # "general" | "pediatrics"
    ck: int | None  # real CK, else the practice estimate
    ck_is_estimate: bool
    band: Band | None
    penalties: tuple[Penalty, ...]
    blocked_by: str | None  # an exam that must be passed first
    outlook: Outlook | None


def assess(rules: Rules, profile: Profile, specialty_id: str | None, today: date) -> Assessment:
    """Outlook for ``specialty_id`` (or the general table), before any wording."""
    specialty = rules.specialties.get(specialty_id) if specialty_id else None
    table = specialty.table if specialty else "general"
    ck, estimate = _effective_ck(profile)
    passing = int(rules.figure("ck_passing_score").value or 0)

    blocked_by = None
    if profile.step1 == ExamStatus.FAILED:
        blocked_by = "Step 1"
    elif profile.step2 == ExamStatus.FAILED or (
        profile.step2_score is not None and profile.step2_score < passing
    ):
        blocked_by = "Step 2 CK"

    penalties = tuple(_penalties(rules, profile, today))
    band = rules.step2_outlook[table].lookup(ck) if ck is not None else None
    if blocked_by:
        outlook: Outlook | None = Outlook.LONG_SHOT
    elif band is None:
        outlook = None
    else:
        raw = Outlook.parse(band.data["outlook"]) - sum(p.steps for p in penalties)
        outlook = Outlook(max(Outlook.LONG_SHOT, raw))
        if specialty is not None:
            outlook = min(outlook, rules.groups[specialty.group].cap)
    return Assessment(specialty, table, ck, estimate, band, penalties, blocked_by, outlook)


def _effective_ck(profile: Profile) -> tuple[int | None, bool]:
    if profile.step2_score is not None:
        return profile.step2_score, False
    no_score_yet = profile.step2 is None or profile.step2.awaiting_score
    if no_score_yet and profile.step2_practice is not None:
        return profile.step2_practice, True
    return None, False


def _penalties(rules: Rules, profile: Profile, today: date) -> list[Penalty]:
    found = []
    if profile.step1_failures:
        found.append(rules.penalties["step1_failed_before"])
    if profile.step2_failures:
        found.append(rules.penalties["step2_failed_before"])
    years = profile.years_since_graduation(today)
    if years is not None and years > (rules.figure("yog_concern_years").high or 0):
        found.append(rules.penalties["yog_beyond_concern"])
    if profile.visa == Visa.H1B and "h1b_only" in rules.penalties:
        found.append(rules.penalties["h1b_only"])
    return found


def program_range(
    rules: Rules, profile: Profile, assessment: Assessment
) -> tuple[ProgramRange, list[tuple[str, str]]]:
    """Recommended number of programs, and the (rule id, source id) pairs that set it."""
    table = assessment.table
    if table == "general":
        band = rules.program_count["general"].lookup(assessment.ck or 1)
        low = int(rules.figure(band.data["low_figure"]).value or 0)
        return ProgramRange(low, None), [(band.id, band.source)]
    if assessment.ck is None:
        common = rules.figure("peds_programs_common")
        chosen = ProgramRange(int(common.low or 0), int(common.high or 0))
        fired = [("figure.peds_programs_common", common.source)]
    else:
        band = rules.program_count[table].lookup(assessment.ck)
        chosen = ProgramRange(band.data["low"], band.data["high"])
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
    not_passed = (None, ExamStatus.NOT_TAKEN, ExamStatus.PENDING, ExamStatus.FAILED)
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
        ExamStatus.PENDING: "taken, score not out yet",
    }[status]


def _months(months: float) -> str:
    return "no months" if months == 0 else f"{months:g} month" + ("" if months == 1 else "s")


# --------------------------------------------------------------------------------------------
# Handlers


@dataclass
class _Ctx:
    rules: Rules
    profile: Profile
    today: date
    b: AdviceBuilder

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
        return spec is not None and spec.table == "pediatrics"

    def outlook_word(self, outlook: Outlook) -> str:
        return self.b.text(f"outlook.{outlook.name.lower()}")

    def kinds(self, kind_ids: list[str]) -> None:
        self.b.say_list("count.kinds_intro", [f"kind.{k}" for k in kind_ids])


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
            c.b.say(a.band.data["statement"])
        c.b.say("target.gen_filters")
        return
    if a.blocked_by:
        c.b.verdict("verdict.chances_blocked", specialty=name, exam=a.blocked_by)
        _blocked_lines(c, a.blocked_by)
        return
    if a.outlook is None:
        c.b.verdict("verdict.chances_no_ck", specialty=name)
        c.b.say("fact.ck_primary")
        c.b.say("target.peds_filters" if c.is_peds else "target.gen_filters")
        _penalty_lines(c, a)
        return
    if a.ck_is_estimate:
        c.b.verdict(
            "verdict.chances_estimate",
            specialty=name,
            practice=a.ck,
            outlook=c.outlook_word(a.outlook),
        )
        c.b.assume("The outlook uses your practice-exam estimate, not a real CK score.")
    else:
        c.b.verdict("verdict.chances", specialty=name, outlook=c.outlook_word(a.outlook))
    c.b.say(a.band.data["statement"])  # type: ignore[union-attr]
    if c.is_peds:
        c.b.say("fact.peds_img_friendly")
    else:
        c.b.say(c.rules.groups[spec.group].statement, specialty=name)
    _penalty_lines(c, a)
    _legacy_step1_lines(c, a)
    if p.visa in (Visa.J1, Visa.EITHER, Visa.H1B):
        c.b.say("flag.visa_limits")
    if a.outlook <= Outlook.CHALLENGING:
        c.b.say("recovery.usce")
        if not p.step1_failures:  # the fail branch already listed where to apply
            c.b.say("recovery.targets")
    elif p.usce_months in (None, 0):
        c.b.say("usce.role")


def _blocked_lines(c: _Ctx, exam: str) -> None:
    p = c.profile
    c.b.say("flag.step1_not_passed" if exam == "Step 1" else "flag.step2_not_passed")
    c.b.say("retake.failed")
    attempts = p.step1_attempts if exam == "Step 1" else p.step2_attempts
    _attempts_left(c, attempts)


def _attempts_left(c: _Ctx, attempts: int | None) -> None:
    if attempts:
        limit = int(c.rules.figure("max_attempts").value or 0)
        c.b.say("flag.attempts_left", attempts=attempts, attempts_left=max(0, limit - attempts))
    else:
        c.b.say("retake.limit")


def _penalty_lines(c: _Ctx, a: Assessment) -> None:
    for penalty in a.penalties:
        c.b.cite(penalty.id, penalty.source)
        if penalty.id == "yog_beyond_concern":
            c.b.say(penalty.statement, years=c.years)
        else:
            c.b.say(penalty.statement)
        if penalty.id == "step1_failed_before":
            if c.is_peds:
                c.b.say("flag.peds_fail_possible")
                c.b.say("flag.step1_fail_peds")
                c.kinds(["peds_community", "peds_affiliated", "peds_fail_focus"])
            else:
                c.b.say("target.counterbalance")
                c.b.say("fact.ck_offsets")
            c.b.say("statement.own_it")
    years = c.years
    yog = c.rules.figure("yog_concern_years")
    if years is not None and (yog.low or 0) < years <= (yog.high or 0):
        c.b.say("flag.yog_caution", years=years)


def _legacy_step1_lines(c: _Ctx, a: Assessment) -> None:
    p = c.profile
    if p.step1_score is None:
        return
    _declining_lines(c, a)
    if c.is_peds:
        band = c.rules.legacy_step1["pediatrics"].lookup(p.step1_score)
        c.b.cite(band.id, band.source)
        c.b.say(band.data["statement"], step1_score=p.step1_score)
        if p.step1_score < (c.rules.figure("peds_legacy_academic_concern").value or 0):
            c.b.say("target.legacy_academic")


def _declining_lines(c: _Ctx, a: Assessment) -> None:
    """A real CK below a legacy numeric Step 1 reads as a decline."""
    step1 = c.profile.step1_score
    if step1 is not None and a.ck is not None and not a.ck_is_estimate and a.ck < step1:
        c.b.say("flag.declining", ck=a.ck, step1_score=step1)


def _target_score(c: _Ctx) -> None:
    spec, p = c.specialty, c.profile
    if spec is None:
        c.b.verdict("verdict.no_specialty")
        c.b.say("target.gen_filters")
        c.b.say("target.peds_filters")
        c.b.say("target.not_a_cutoff")
        return
    c.b.table = spec.table
    if spec.group == "highly_competitive":
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
        c.b.verdict("target.verdict_general", specialty=spec.name)
        c.b.say("target.gen_filters")
        if spec.group != "core":
            c.b.say(c.rules.groups[spec.group].statement, specialty=spec.name)
        if p.step1_failures:
            c.b.say("target.counterbalance")
    if p.step1_score is not None:
        c.b.say("fact.step1_pf")
        if c.is_peds:
            _legacy_step1_lines(c, assess(c.rules, p, spec.id, c.today))
        c.b.say("target.upward_trend")
    ck, _ = _effective_ck(p)
    if ck is not None:
        band = c.rules.step2_outlook[spec.table].lookup(ck)
        c.b.cite(band.id, band.source)
        c.b.say(band.data["statement"])
    c.b.say("target.not_a_cutoff")
    c.b.say("target.us_average")
    c.b.say("target.passing")


def _realistic_specialties(c: _Ctx) -> None:
    p = c.profile
    ranked: list[tuple[Outlook, int, Specialty]] = []
    for order, sid in enumerate(c.rules.realism_candidates):
        a = assess(c.rules, p, sid, c.today)
        if a.outlook is not None:
            ranked.append((a.outlook, -order, c.rules.specialties[sid]))
    general = assess(c.rules, p, None, c.today)
    c.b.table = "general"
    if not ranked:
        c.b.verdict("verdict.chances_no_ck", specialty="every specialty")
        c.b.say("fact.ck_primary")
        c.b.say("target.gen_filters")
        c.b.say("realism.competitive_note")
        return
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    best = ranked[0][0]
    c.b.outlook = best
    if best == Outlook.LONG_SHOT:
        c.b.verdict("realism.verdict_none")
    else:
        top = [spec.name for outlook, _, spec in ranked if outlook == best]
        c.b.verdict("realism.verdict", specialty=_join(top))
    for outlook, _, spec in ranked:
        c.b.say("realism.line", specialty=spec.name, outlook=c.outlook_word(outlook))
    if general.band is not None:
        c.b.cite(general.band.id, general.band.source)
        band_id = general.band.id
        if general.blocked_by:
            _blocked_lines(c, general.blocked_by)
        elif band_id == "gen_below_220" or best == Outlook.LONG_SHOT:
            c.b.say("realism.prelim")
        elif band_id == "gen_220s":
            c.b.say("realism.community_heavy")
        elif not general.penalties and band_id in ("gen_240s", "gen_250_plus"):
            c.b.say("realism.academic_ok")
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
    if a.table == "pediatrics":
        c.b.verdict("count.verdict", count=count.display, specialty=name)
        if a.ck is not None:
            c.b.say(c.rules.program_count["pediatrics"].lookup(a.ck).data["statement"])
        if p.step1_failures or p.step2_failures:
            c.b.say("count.peds_red_flag")
        c.b.say("count.peds_common")
    else:
        c.b.verdict("count.verdict_general")
        c.b.say("count.general")
    if a.blocked_by:
        _blocked_lines(c, a.blocked_by)
    if a.ck is not None:
        kinds_band = c.rules.program_kinds[a.table].lookup(a.ck)
        c.b.cite(kinds_band.id, kinds_band.source)
        kinds = list(kinds_band.data["kinds"])
        if p.step1_failures and c.is_peds:
            kinds.append("peds_fail_focus")
        if p.visa in (Visa.J1, Visa.EITHER) and "j1_sponsoring" not in kinds:
            kinds.append("j1_sponsoring")
        c.kinds(kinds)
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
    yog_low = c.rules.figure("yog_concern_years").low or 0
    if p.step2_score is not None:
        c.b.verdict("postpone.verdict_taken")
        c.b.say("postpone.apply_now" if p.step2_score >= target else "postpone.delay_value")
        if p.step2_score < target:
            c.b.say("step3.verdict_helps")
        if years is not None and years >= yog_low:
            c.b.say("postpone.yog_cost", years=years)
        return
    practice = p.step2_practice
    if practice is None:
        c.b.verdict("postpone.verdict_no_practice", target=target)
        c.b.say("postpone.rule_gap")
        c.b.say("postpone.rule_general")
        c.b.say("prep.practice_start")
        return
    gap = target - practice
    gap_fig = c.rules.figure("postpone_gap_points")
    floor = c.rules.figure("postpone_peds_floor").value or 0
    far_below = c.rules.figure("practice_far_below_example").value or 0
    needed = c.rules.figure("practice_needed_example").value or 0
    below_floor = c.is_peds and practice < floor
    general_rule = practice < far_below and target >= needed
    if gap >= (gap_fig.low or 0) or below_floor or general_rule:
        c.b.verdict("postpone.verdict_delay", practice=practice, gap=gap, target=target)
        c.b.say("postpone.extra_months")
        c.b.say("postpone.delay_year")
    elif gap > 0:
        c.b.verdict("postpone.verdict_consider", practice=practice, gap=gap, target=target)
        c.b.say("postpone.extra_months")
    else:
        c.b.verdict("postpone.verdict_keep", practice=practice, target=target)
    c.b.say("postpone.rule_gap")
    if c.is_peds:
        c.b.say("postpone.rule_floor")
        c.b.say("postpone.content_gaps")
    else:
        c.b.say("postpone.rule_general")
    if years is not None and years >= yog_low and gap > 0:
        c.b.say("postpone.yog_cost", years=years)


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
    failed = [
        (exam, attempts)
        for exam, status, attempts in (
            ("Step 1", p.step1, p.step1_attempts),
            ("Step 2 CK", p.step2, p.step2_attempts),
        )
        if status == ExamStatus.FAILED
    ]
    if failed:
        exam, _attempts = failed[0]
        c.b.verdict("retake.failed")
        _blocked_lines(c, exam)
    else:
        c.b.verdict("retake.passed")
        c.b.say("retake.instead")
        if p.step1 is None and p.step2 is None:
            c.b.say("retake.failed")
        c.b.say("retake.limit")
    c.b.say("fact.clean_transcript")


def _recovery(c: _Ctx) -> None:
    p = c.profile
    a = assess(c.rules, p, p.specialty, c.today)
    c.b.table, c.b.outlook = a.table, a.outlook
    c.b.verdict("recovery.verdict")
    if a.blocked_by:
        _blocked_lines(c, a.blocked_by)
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
    if a.ck is not None and a.ck < low:
        c.b.say("step3.verdict_helps")
        c.b.say("step3.caution")
    c.b.say("statement.own_it")
    if a.outlook is not None and a.outlook == Outlook.LONG_SHOT:
        c.b.say("recovery.two_cycle")
    c.b.say("recovery.apply_broadly")


def _step3(c: _Ctx) -> None:
    p = c.profile
    ck, _ = _effective_ck(p)
    low = c.rules.figure("ck_low_threshold").value or 0
    modest = c.rules.figure("gen_band_240").low or 0
    if p.step3 is not None and p.step3.passed:
        c.b.verdict("step3.verdict_done")
    elif p.visa == Visa.H1B:
        c.b.verdict("step3.verdict_h1b")
    elif ck is not None and ck < low:
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
        c.b.say("visa.j1_home")
    if p.visa in (Visa.H1B, Visa.EITHER, None):
        c.b.say("visa.h1b_requirements")
        c.b.say("visa.h1b_share")
        c.b.say("visa.h1b_fee")
        if p.step3 is None or not p.step3.passed:
            c.b.say("step3.verdict_h1b")
    if ck is not None and ck < modest and p.visa in (Visa.H1B, Visa.EITHER):
        c.b.say("visa.modest_ck")
    c.b.say("visa.filter")
    c.b.say("visa.communicate")


def _graduation_year(c: _Ctx) -> None:
    years = c.years
    yog = c.rules.figure("yog_concern_years")
    if years is None:
        c.b.verdict("yog.verdict_unknown")
    elif years <= (yog.low or 0):
        c.b.verdict("yog.verdict_fresh", years=years)
    elif years <= (yog.high or 0):
        c.b.verdict("yog.verdict_caution", years=years)
    else:
        c.b.verdict("yog.verdict_old", years=years)
    if years is None or years > (yog.low or 0):
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
    c.b.verdict("signal.verdict")
    c.b.say("signal.connection")
    if not c.is_peds:
        c.b.say("signal.peds_source")
    c.b.say("signal.early")
    c.b.say("signal.emails")
    c.b.say("visa.communicate")


def _personal_statement(c: _Ctx) -> None:
    p = c.profile
    low = c.rules.figure("ck_low_threshold").value or 0
    issues = []
    if p.step1_failures:
        issues.append("Step 1 fail")
    if p.step2_failures:
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
    c.b.say("stats.compare")
    c.b.say("count.interviews")
    c.b.say("stats.strategy")


_HANDLERS: dict[Question, Callable[[_Ctx], None]] = {
    Question.CHANCES: _chances,
    Question.TARGET_SCORE: _target_score,
    Question.REALISTIC_SPECIALTIES: _realistic_specialties,
    Question.PROGRAMS: _programs,
    Question.POSTPONE: _postpone,
    Question.CK_TIMING: _ck_timing,
    Question.PREPARATION: _preparation,
    Question.RETAKE: _retake,
    Question.RECOVERY: _recovery,
    Question.STEP3: _step3,
    Question.VISA: _visa,
    Question.GRADUATION_YEAR: _graduation_year,
    Question.USCE_LETTERS: _usce_letters,
    Question.SIGNALING: _signaling,
    Question.PERSONAL_STATEMENT: _personal_statement,
    Question.MATCH_STATS: _match_stats,
}


def advise(
    question: Question, profile: Profile, *, today: date, rules: Rules | None = None
) -> Advice:
    """Answer ``question`` for ``profile``. Same inputs, same advice, byte for byte."""
    rules = rules or default_rules()
    if question == Question.PLAN:
        from img_strategy.plan import build_plan  # the plan module builds on this one

        return build_plan(profile, today, rules=rules).advice
    builder = AdviceBuilder(rules, question)
    ctx = _Ctx(rules, profile, today, builder)
    _HANDLERS[question](ctx)
    for line in describe(rules, profile, today):
        builder.fact(line)
    return builder.build()


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
