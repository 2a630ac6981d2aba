"""Whether a Step 2 CK score is a pass: the pass mark depends on the day the exam was taken.

F3 (verified): 209 before 1 July 2022, 214 from that day. F4 (reported): 218 from
1 July 2025. A score between two marks is a pass or a fail depending on the date, so without
a date the advice gives both readings and asks when the exam was taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from itertools import pairwise

from img_strategy.profile import Profile
from img_strategy.tables import Rules

# Pass-mark figures from oldest to newest; each dated one names the day it took effect.
_MARKS = ("ck_passing_score_before_2022", "ck_passing_score_previous", "ck_passing_score")


class CkResult(Enum):
    PASS = "pass"
    FAIL = "fail"
    DEPENDS_ON_DATE = "depends_on_date"


@dataclass(frozen=True)
class PassMark:
    figure: str  # figure id in figures.yml
    score: int
    since: date | None  # None: the oldest mark, in force before the next one


@dataclass(frozen=True)
class CkReading:
    """A CK score read against the pass marks. For ``DEPENDS_ON_DATE``, ``cutoff`` is the
    first day the score would have been a fail and ``mark_before`` the mark before it."""

    result: CkResult
    cutoff: PassMark | None = None
    mark_before: PassMark | None = None


def pass_marks(rules: Rules) -> tuple[PassMark, ...]:
    return tuple(
        PassMark(fid, int(rules.figure(fid).value or 0), rules.figure(fid).since) for fid in _MARKS
    )


def mark_on(rules: Rules, taken: date) -> PassMark:
    """The pass mark in force on the day ``taken``."""
    in_force = pass_marks(rules)[0]
    for mark in pass_marks(rules)[1:]:
        if mark.since is not None and taken >= mark.since:
            in_force = mark
    return in_force


def read_ck(rules: Rules, score: int, taken: date | None = None) -> CkReading:
    """Pass, fail, or (without a date) a pass only if taken before ``cutoff``."""
    if taken is not None:
        passed = score >= mark_on(rules, taken).score
        return CkReading(CkResult.PASS if passed else CkResult.FAIL)
    marks = pass_marks(rules)
    if score >= marks[-1].score:
        return CkReading(CkResult.PASS)
    if score < marks[0].score:
        return CkReading(CkResult.FAIL)
    # The first mark above the score is the day it stopped passing.
    for before, mark in pairwise(marks):
        if score < mark.score:
            return CkReading(CkResult.DEPENDS_ON_DATE, cutoff=mark, mark_before=before)
    raise AssertionError("pass marks are ordered")  # pragma: no cover


def ck_date_decides(rules: Rules, profile: Profile) -> bool:
    """Whether the profile's CK score is a pass or a fail depending on a date not given."""
    if profile.step2_score is None or profile.step2_date is not None:
        return False
    return read_ck(rules, profile.step2_score).result == CkResult.DEPENDS_ON_DATE
