"""Between Rasa slots and the strategy module's Profile: the only place that knows both."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
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

# Rasa's multi-intent labels ("ask_compare+ask_programs", intent_tokenization_flag).
INTENT_SPLIT = "+"


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


def questions_from_intent(intent: str | None) -> list[Question]:
    """Every question an intent asks, in order: one for ``ask_visa``, two for a multi-intent
    such as ``ask_compare+ask_programs``; none for other intents."""
    found: list[Question] = []
    for part in (intent or "").split(INTENT_SPLIT):
        question = Question.from_intent(part)
        if question is not None and question not in found:
            found.append(question)
    return found


# The parse result's questions, each classified on its own words (img_nlp.intent_classifier).
QUESTIONS_KEY = "questions"
# A question's own classification is taken when its best intent is a question intent at
# least this sure; below it the words alone are too few to tell.
MIN_OWN_CONFIDENCE = 0.3


def _part_bests(message: Mapping[str, Any]) -> list[tuple[list[Question], float]]:
    """Each asking part's best question intent and its confidence, when it is sure enough."""
    bests = []
    for part in message.get(QUESTIONS_KEY) or []:
        ranking = part.get("intent_ranking") if isinstance(part, Mapping) else None
        best = ranking[0] if isinstance(ranking, list) and ranking else {}
        if not isinstance(best, Mapping):
            continue
        confidence = float(best.get("confidence") or 0)
        if confidence >= MIN_OWN_CONFIDENCE:
            bests.append((questions_from_intent(best.get("name")), confidence))
    return bests


def questions_in_message(message: Mapping[str, Any]) -> list[Question]:
    """The questions a message's parts ask, each classified on its own words, in the order
    asked: "ck 241 j1, what are my chances for IM and how many programs" asks two, however
    the whole line is labelled. Empty when no part asks a question clearly."""
    found: list[Question] = []
    for questions, _ in _part_bests(message):
        found += [q for q in questions if q not in found]
    return found


def questions_from_message(message: Mapping[str, Any]) -> list[Question]:
    """Every question the latest message asks: those its parts ask on their own words,
    else the whole message's question intent (a multi-intent adds the questions it names
    that no part did). A single part that its own words make less sure than the whole line
    is read with the line ("a 2 year gap after graduation, is that a problem?": "that" is
    the gap)."""
    intent = message.get("intent") or {}
    whole = questions_from_intent(intent.get("name"))
    bests = _part_bests(message)
    own = list(dict.fromkeys(q for questions, _ in bests for q in questions))
    if not own:
        return whole
    if len(bests) == 1 and len(whole) == 1 and float(intent.get("confidence") or 0) > bests[0][1]:
        return whole
    return own + [q for q in whole if q not in own and len(whole) > 1]


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
