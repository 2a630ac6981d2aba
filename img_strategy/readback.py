"""The profile read back in words: one short line per known fact, as an advisor would."""

from __future__ import annotations

from datetime import date

from img_strategy.profile import ExamStatus, Profile, UsceKind
from img_strategy.tables import Rules
from img_strategy.wording import counted


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
    if profile.step2_date is not None:
        when = "booked" if profile.step2_date > today else "taken"
        lines.append(f"Step 2 CK date: {profile.step2_date:%B %Y} ({when})")
    if profile.step2_practice is not None:
        lines.append(f"Step 2 CK practice estimate: {profile.step2_practice}")
    if profile.step3 is not None:
        lines.append("Step 3: " + _exam_text(profile.step3, None))
    if profile.visa is not None:
        lines.append("Visa: " + profile.visa.label)
    if profile.graduation_year is not None:
        years = profile.years_since_graduation(today)
        lines.append(f"Graduated: {profile.graduation_year} ({counted(years, 'year')} ago)")
    if profile.usce_months is not None:
        text = months_text(profile.usce_months)
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
        return counted(attempts, "attempt") if attempts else "unknown"
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


def months_text(months: float) -> str:
    return "no months" if months == 0 else counted(months, "month")
