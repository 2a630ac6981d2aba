"""The dated plan as an iCalendar file people can import (all-day events, one per milestone).

Deterministic: the same plan gives the same bytes (UIDs from the milestone and its month,
the stamp from the plan's ``today``), so a file can be rebuilt instead of stored.
"""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event

from img_strategy.plan import Plan

PRODID = "-//img-advisor//dated residency plan//EN"


def plan_to_ics(plan: Plan) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Residency plan: {plan.match_year} Match")
    stamp = datetime(plan.today.year, plan.today.month, plan.today.day, tzinfo=timezone.utc)
    for milestone in plan.milestones:
        event = Event()
        event.add(
            "uid",
            f"{milestone.kind.value}-{milestone.start.year}-{milestone.start.month:02d}@img-advisor",
        )
        event.add("dtstamp", stamp)
        event.add("summary", milestone.title)
        # All-day, month-long: from the first of the start month to the first of the month
        # after the end (DTEND is exclusive for dates).
        event.add("dtstart", milestone.start.first_day)
        event.add("dtend", milestone.end.plus(1).first_day)
        event.add("description", "\n".join([milestone.text, *milestone.notes]))
        event.add("transp", "TRANSPARENT")  # a study phase does not make you busy
        cal.add_component(event)
    return cal.to_ical()
