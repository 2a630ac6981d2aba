"""The applicant's profile: what the advisor knows about one IMG.

Every field may be unknown (``None``). The profile is immutable; "what if" questions and
corrections make a changed copy with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any


class LabelledEnum(str, Enum):
    """A string enum whose members carry the words the bot shows for them, declared with the
    member (``J1 = "j1", "J-1"``), so a new member cannot lack its label. The value stays
    the plain string that slots and statements use."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class ExamStatus(str, Enum):
    """Outcome history of one USMLE Step."""

    PASSED = "passed"  # passed on the first attempt
    FAILED_THEN_PASSED = "failed_then_passed"
    FAILED = "failed"  # failed and not (yet) passed
    NOT_TAKEN = "not_taken"
    PENDING = "pending"  # taken, the score is not out yet

    @property
    def passed(self) -> bool:
        return self in (ExamStatus.PASSED, ExamStatus.FAILED_THEN_PASSED)

    @property
    def has_failure(self) -> bool:
        return self in (ExamStatus.FAILED_THEN_PASSED, ExamStatus.FAILED)

    @property
    def awaiting_score(self) -> bool:
        """No score to plan with yet: not taken, or taken with the score still to come."""
        return self in (ExamStatus.NOT_TAKEN, ExamStatus.PENDING)


class Visa(LabelledEnum):
    """Which visa the applicant needs for residency."""

    J1 = "j1", "J-1"
    H1B = "h1b", "H-1B"
    EITHER = "either", "J-1 or H-1B"
    NONE = "none", "no visa needed"  # US citizen or green card holder


class UsceKind(str, Enum):
    """US clinical experience: hands-on (electives, externships, sub-Is) or observership."""

    HANDS_ON = "hands_on"
    OBSERVERSHIP = "observership"


class Field(str, Enum):
    """Profile facts a question may need. Each value is the Profile attribute (and the
    conversation's slot) that holds the fact."""

    SPECIALTY = "specialty"
    STEP1 = "step1"
    STEP2 = "step2_score"
    STEP2_PRACTICE = "step2_practice"
    STEP2_DATE = "step2_date"  # asked only when the CK's pass or fail depends on it
    STEP3 = "step3"
    VISA = "visa"
    GRADUATION_YEAR = "graduation_year"
    USCE = "usce_months"


@dataclass(frozen=True)
class Profile:
    """What the advisor knows about one applicant. ``None`` means unknown."""

    step1: ExamStatus | None = None
    step1_score: int | None = None  # legacy three-digit score (exams before the P/F date)
    step1_attempts: int | None = None
    step2: ExamStatus | None = None
    step2_score: int | None = None
    step2_attempts: int | None = None
    step2_practice: int | None = None  # NBME/UWSA estimate when CK is not taken yet
    # When CK was taken (the 1st of the month when only the month is known): the pass mark
    # depends on the exam date (214 until 30 June 2025, 218 from 1 July 2025).
    step2_date: date | None = None
    step3: ExamStatus | None = None
    step3_score: int | None = None
    visa: Visa | None = None
    graduation_year: int | None = None
    usce_months: float | None = None  # to the half month: "6 weeks" is 1.5
    usce_kind: UsceKind | None = None
    usce_specialty: str | None = None
    us_letters: int | None = None
    research_count: int | None = None
    specialty: str | None = None  # canonical id from specialties.yml, e.g. "pediatrics"

    # -- derived facts -------------------------------------------------------------------
    @property
    def step1_failures(self) -> int:
        """Failed Step 1 attempts, from the status and the attempt count together."""
        return _failures(self.step1, self.step1_attempts)

    @property
    def step2_failures(self) -> int:
        return _failures(self.step2, self.step2_attempts)

    @property
    def step2_known(self) -> bool:
        """CK is either scored or known to be untaken/failed."""
        return self.step2_score is not None or self.step2 is not None

    def years_since_graduation(self, today: date) -> int | None:
        if self.graduation_year is None:
            return None
        return max(0, today.year - self.graduation_year)

    def with_changes(self, **changes: Any) -> Profile:
        """A copy with some fields changed (for corrections and what-ifs)."""
        return dataclasses.replace(self, **changes)

    def known_fields(self) -> dict[str, Any]:
        """The known fields, in declaration order, as plain values."""
        return {name: value for name, value in self.to_dict().items() if value is not None}

    def to_dict(self) -> dict[str, Any]:
        return {f.name: plain_value(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        """Build from plain values (slots, JSON); unknown keys are ignored."""
        enums = {
            "step1": ExamStatus,
            "step2": ExamStatus,
            "step3": ExamStatus,
            "visa": Visa,
            "usce_kind": UsceKind,
        }
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            value = data.get(f.name)
            if value is None:
                continue
            if f.name in enums:
                value = enums[f.name](value)
            elif f.name == "step2_date" and isinstance(value, str):
                value = date.fromisoformat(value)
            kwargs[f.name] = value
        return cls(**kwargs)


def plain_value(value: Any) -> Any:
    """A field as a slot or JSON holds it: enums by value, dates as ISO text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _failures(status: ExamStatus | None, attempts: int | None) -> int:
    """Failed attempts implied by a status plus an attempt count."""
    if status is None and attempts is None:
        return 0
    tries = attempts or 1
    if status == ExamStatus.FAILED:
        return max(1, tries)
    if status == ExamStatus.FAILED_THEN_PASSED:
        return max(1, tries - 1)
    if status is not None and status.awaiting_score:
        return 0
    return max(0, tries - 1)  # passed (or unknown status) after `tries` attempts
