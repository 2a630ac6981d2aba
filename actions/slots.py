"""Between Rasa slots and the strategy module's Profile: the only place that knows both.

Which questions a message asks is read from its parse result by ``img_nlp.routing``; the
slots here keep the questions pending once they are known."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from img_strategy import Field, Profile, Question
from img_strategy.asked import Asked, Uncovered
from img_strategy.profile import plain_value

# Profile attributes the conversation collects; each is a slot of the same name.
PROFILE_SLOTS: tuple[str, ...] = tuple(
    f.name
    for f in dataclasses.fields(Profile)
    if f.name not in ("us_letters", "research_count", "step3_score")
)

E = TypeVar("E", bound=Enum)

QUESTION_SLOT = "question"
SKIPPED_SLOT = "skipped"
WHY_SLOT = "last_why"
DISCLAIMER_SLOT = "disclaimer_shown"
# Remembering: None = never asked, "asked", "yes", "no". consent_pending is featurised so
# the consent rules can see that the bot just asked.
CONSENT_SLOT = "remember_consent"
CONSENT_PENDING_SLOT = "consent_pending"
STORE_CHECKED_SLOT = "store_checked"
STORAGE_DOWN_SLOT = "storage_down"
REQUESTED_SLOT = "requested_slot"
# Profile changes the parser was not sure of, asked back as a yes/no question; a "yes" as
# the next message stores them, anything else drops them.
UNSURE_SLOT = "unsure_fact"
# Replies at a form prompt that gave nothing: {"field": <Field value>, "count": n}.
PROMPT_FAILURES_SLOT = "prompt_failures"
# Further questions asked in the same message as the pending one, answered after it.
MORE_QUESTIONS_SLOT = "more_questions"
# What the latest question named beyond profile facts (img_strategy.asked.Asked).
ASKED_SLOT = "asked"


def today() -> date:
    """The advisor's date. IMG_ADVISOR_TODAY (YYYY-MM-DD) pins it for reproducible tests."""
    pinned = os.environ.get("IMG_ADVISOR_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


def profile_from_tracker(tracker: Tracker) -> Profile:
    return Profile.from_dict({name: tracker.get_slot(name) for name in PROFILE_SLOTS})


def profile_slot_events(changes: dict[str, Any]) -> list[EventType]:
    """SlotSet events for profile changes (enums and dates stored as plain values)."""
    events: list[EventType] = []
    for name, value in changes.items():
        if name in PROFILE_SLOTS:
            events.append(SlotSet(name, plain_value(value)))
    return events


def _member(enum: type[E], value: Any) -> E | None:
    """``enum(value)``, or None for a missing or unknown value (slots hold plain strings)."""
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def pending_questions(tracker: Tracker) -> list[Question]:
    """The pending question followed by the others asked with it."""
    first = pending_question(tracker)
    more = (_member(Question, value) for value in tracker.get_slot(MORE_QUESTIONS_SLOT) or [])
    found = [first] if first is not None else []
    return found + [q for q in more if q is not None and q not in found]


def pending_question(tracker: Tracker) -> Question | None:
    return _member(Question, tracker.get_slot(QUESTION_SLOT))


def skipped_fields(tracker: Tracker) -> set[Field]:
    fields = (_member(Field, value) for value in tracker.get_slot(SKIPPED_SLOT) or [])
    return {field for field in fields if field is not None}


def requested_field(tracker: Tracker) -> Field | None:
    return _member(Field, tracker.get_slot(REQUESTED_SLOT))


def channel_metadata(tracker: Tracker) -> dict[str, Any]:
    """What the input channel attached to the latest message (see img_channels)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def in_group_chat(tracker: Tracker) -> bool:
    """True for a message in a group chat: there, no one is asked for scores or visa."""
    return channel_metadata(tracker).get("audience") == "group"


def asked_slot_value(asked: Asked) -> dict[str, Any]:
    return {
        "specialties": list(asked.specialties),
        "uncovered": asked.uncovered.value,
        "match_year": asked.match_year,
    }


def asked_from_tracker(tracker: Tracker) -> Asked:
    value = tracker.get_slot(ASKED_SLOT)
    if not isinstance(value, dict):
        return Asked()
    specialties = tuple(str(s) for s in value.get("specialties") or ())
    year = value.get("match_year")
    return Asked(
        specialties,
        _member(Uncovered, value.get("uncovered")) or Uncovered.OTHER,
        # Slots come back as JSON: only a whole number is a year (never a bool).
        year if isinstance(year, int) and not isinstance(year, bool) else None,
    )


def with_match_year(tracker: Tracker, year: int) -> dict[str, Any]:
    """The asked slot with a Match year named in a message that asked no new question
    ("nbme 221, aiming for the 2029 match"): the rest of what was asked is kept."""
    return asked_slot_value(dataclasses.replace(asked_from_tracker(tracker), match_year=year))
