"""The outlook for one specialty, with the rules behind it: one scale for every field.

The general article's Step 2 CK band sets the outlook; each penalty (a fail, repeated fails,
graduation more than 5 years ago) lowers it by its steps down to the floor, the general
article's "very challenging"; the specialty group's cap applies last. The pediatrics tables
refine the wording, counts and kinds of a pediatrics answer, never the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from img_strategy.advice import ProgramRange
from img_strategy.passmarks import CkReading, CkResult, read_ck
from img_strategy.profile import ExamStatus, Field, Profile, Visa
from img_strategy.tables import (
    Outlook,
    Penalty,
    PenaltyKind,
    Rules,
    ScoreBand,
    Specialty,
    Table,
    default_rules,
)


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
    ck, estimate = effective_ck(profile)
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


def effective_ck(profile: Profile) -> tuple[int | None, bool]:
    if profile.step2_score is not None:
        return profile.step2_score, False
    no_score_yet = profile.step2 is None or profile.step2.awaiting_score
    if no_score_yet and profile.step2_practice is not None:
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
    not_passed = (None, ExamStatus.NOT_TAKEN, ExamStatus.PENDING, ExamStatus.FAILED)
    if changed.step2_score is not None and changed.step2 in not_passed:
        changed = changed.with_changes(step2=ExamStatus.PASSED)
    return changed
