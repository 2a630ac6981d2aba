"""The plan's calendar file, imported back with icalendar."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from img_strategy import ExamStatus, Profile, Visa
from img_strategy.ics import plan_to_ics
from img_strategy.plan import build_plan

NOV26 = date(2026, 11, 26)


def test_calendar_imports_back_with_one_all_day_event_per_milestone():
    plan = build_plan(
        Profile(step1=ExamStatus.NOT_TAKEN, specialty="pediatrics", visa=Visa.H1B), NOV26
    )
    cal = Calendar.from_ical(plan_to_ics(plan))
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(plan.milestones)
    for event, milestone in zip(events, plan.milestones, strict=True):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        # All-day: plain dates, not datetimes; a month-long span ending on the next first.
        assert type(start) is date and type(end) is date
        assert start == milestone.start.first_day
        assert end == milestone.end.plus(1).first_day
        assert str(event["summary"]) == milestone.title
        assert milestone.text in str(event["description"])
    match_day = events[-1]
    assert match_day.decoded("dtstart") == date(2028, 3, 1)
    assert str(match_day["summary"]) == "Match Day"
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_same_plan_same_bytes():
    profile = Profile(step1=ExamStatus.PASSED, step2=ExamStatus.NOT_TAKEN)
    assert plan_to_ics(build_plan(profile, NOV26)) == plan_to_ics(build_plan(profile, NOV26))
