"""Reading profile facts from every user message (Rasa's custom slot mapping action).

Rasa runs this after each user message, inside and outside the form, so facts can be
given, added to or corrected at any point. Parsing and validation are the strategy
module's; this adapter only turns the result into slot events and replies.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.mentions import asked_from_message, facts_from_message
from actions.slots import (
    ASKED_SLOT,
    CONSENT_PENDING_SLOT,
    CONSENT_SLOT,
    MORE_QUESTIONS_SLOT,
    NOTICE_SLOT,
    PROBLEM_SLOT,
    PROFILE_SLOTS,
    PROMPT_FAILURES_SLOT,
    QUESTION_SLOT,
    SKIPPED_SLOT,
    STORAGE_DOWN_SLOT,
    STORE_CHECKED_SLOT,
    UNSURE_SLOT,
    asked_slot_value,
    profile_slot_events,
    questions_from_intent,
    requested_field,
    today,
)
from actions.store import StoreError, owner, profile_store
from img_strategy import Field, Question, default_rules, describe
from img_strategy.render import confirm_question, explain_problem

logger = logging.getLogger(__name__)

# Intents whose numbers are hypothetical or not about the user at all.
NO_EXTRACTION_INTENTS = frozenset({"what_if", "ask_out_of_scope", "bot_challenge"})
# Intents that, at a form prompt, are meant as its answer (the others have their own rules:
# a question is answered, "why?" explained, and so on). A reply of this kind that gives no
# fact counts as a failed try at the prompt.
PROMPT_REPLY_INTENTS = frozenset({"inform", "correct", "affirm", "deny", "nlu_fallback"})
# Questions whose answer depends on what the question itself names (asked_from_message).
READS_ASKED = frozenset({Question.COMPARE, Question.OUT_OF_SCOPE})
# Failed tries at one prompt before the bot stops asking it and goes on without the fact.
MAX_PROMPT_FAILURES = 2


class ActionExtractProfile(Action):
    def name(self) -> str:
        return "action_extract_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        in_form = tracker.active_loop_name is not None
        events: list[EventType] = [*_storage_health(tracker), *_returning_user(tracker)]
        if tracker.get_slot(CONSENT_PENDING_SLOT) and intent not in ("affirm", "deny"):
            events.append(SlotSet(CONSENT_PENDING_SLOT, False))  # the user moved on

        questions = questions_from_intent(intent)
        if questions and not in_form:
            # Inside the form a new question is answered on the spot and the pending one
            # is kept (see the interruption rule).
            more = [q.value for q in questions[1:]]
            events.append(SlotSet(QUESTION_SLOT, questions[0].value))
            if more or tracker.get_slot(MORE_QUESTIONS_SLOT):
                events.append(SlotSet(MORE_QUESTIONS_SLOT, more or None))
        if READS_ASKED.intersection(questions):
            asked = asked_slot_value(asked_from_message(message))
            events.append(SlotSet(ASKED_SLOT, asked))
        if intent in NO_EXTRACTION_INTENTS:
            return events
        awaiting = tracker.get_slot(UNSURE_SLOT)
        if awaiting:
            # The answer to "is that your US clinical experience?": a yes stores the
            # reading, a no drops it; anything else drops it and is read as usual.
            events.append(SlotSet(UNSURE_SLOT, None))
            if intent == "affirm" and isinstance(awaiting, dict):
                return [*events, *profile_slot_events(awaiting)]
            if intent == "deny":
                return events

        expected = requested_field(tracker) if in_form else None
        if intent == "skip" and expected is not None:
            return [*events, *_skip(tracker, expected)]

        parsed = facts_from_message(message, expected=expected)
        events.extend(profile_slot_events(parsed.changes))
        unsure = [u for u in parsed.unsure if not set(u.changes) & set(parsed.changes)]
        if unsure:
            # Never guessed: the likely reading is asked back, and stored on a "yes".
            proposed: dict[str, Any] = {}
            for reading in unsure:
                proposed.update(reading.changes)
            events.append(
                SlotSet(UNSURE_SLOT, {k: getattr(v, "value", v) for k, v in proposed.items()})
            )
        texts = [explain_problem(p) for p in parsed.problems]
        texts += [confirm_question(u) for u in unsure]
        if expected is not None and intent in PROMPT_REPLY_INTENTS:
            got_something = bool(parsed.changes or parsed.problems or unsure)
            progress, notice = _prompt_progress(tracker, expected, got_something)
            events.extend(progress)
            texts.extend(notice)
        if texts:
            # Rasa 3.6 drops messages sent during slot extraction, so the explanation is
            # stored and spoken by the next action (see actions.problems). It is also a form
            # slot, so the form re-asks instead of rejecting the turn.
            events.append(SlotSet(PROBLEM_SLOT, [*_pending_problems(events), *texts]))
        return events


def _skip(tracker: Tracker, field: Field) -> list[EventType]:
    """The user declined to give ``field``: it is never asked again."""
    skipped = list(tracker.get_slot(SKIPPED_SLOT) or [])
    if field.value not in skipped:
        skipped.append(field.value)
    if field == Field.STEP2 and Field.STEP2_PRACTICE.value not in skipped:
        skipped.append(Field.STEP2_PRACTICE.value)
    return [SlotSet(SKIPPED_SLOT, skipped)]


def _prompt_progress(
    tracker: Tracker, field: Field, got_something: bool
) -> tuple[list[EventType], list[str]]:
    """Count failed tries at the prompt for ``field``. The first gets a hint on how to
    answer; the second stops asking and goes on without the fact, so no prompt loops."""
    previous = tracker.get_slot(PROMPT_FAILURES_SLOT) or {}
    if got_something:
        return ([SlotSet(PROMPT_FAILURES_SLOT, None)] if previous else []), []
    count = 1 + (previous.get("count", 0) if previous.get("field") == field.value else 0)
    if count >= MAX_PROMPT_FAILURES:
        events = [SlotSet(PROMPT_FAILURES_SLOT, None), *_skip(tracker, field)]
        return events, [messages.prompt_given_up(field.value)]
    failures = {"field": field.value, "count": count}
    return [SlotSet(PROMPT_FAILURES_SLOT, failures)], [messages.prompt_hint(field.value)]


def _returning_user(tracker: Tracker) -> list[EventType]:
    """Once per session: load the profile this user asked to be remembered."""
    if tracker.get_slot(STORE_CHECKED_SLOT):
        return []
    events: list[EventType] = [SlotSet(STORE_CHECKED_SLOT, True)]
    try:
        remembered = profile_store().load(*owner(tracker))
    except StoreError as exc:  # the conversation goes on without the saved profile
        logger.warning("profile store unavailable on load: %s", type(exc).__name__)
        return events
    if remembered is None:
        return events
    stored = {k: v for k, v in remembered.profile.to_dict().items() if v is not None}
    fresh = {k: v for k, v in stored.items() if k in PROFILE_SLOTS and tracker.get_slot(k) is None}
    summary = list(describe(default_rules(), remembered.profile, today()))
    return [
        *events,
        *(SlotSet(name, value) for name, value in fresh.items()),
        SlotSet(CONSENT_SLOT, "yes"),
        SlotSet(NOTICE_SLOT, messages.welcome_back(summary)),
    ]


def _storage_health(tracker: Tracker) -> list[EventType]:
    """Tell the user once when the database becomes unreachable (Rasa then keeps the
    conversation in memory only), and reset when it is back."""
    try:
        profile_store().ping()
    except StoreError as exc:
        logger.warning("database unreachable: %s", type(exc).__name__)
        if tracker.get_slot(STORAGE_DOWN_SLOT):
            return []
        return [SlotSet(STORAGE_DOWN_SLOT, True), SlotSet(PROBLEM_SLOT, [messages.STORAGE_DOWN])]
    return [SlotSet(STORAGE_DOWN_SLOT, False)] if tracker.get_slot(STORAGE_DOWN_SLOT) else []


def _pending_problems(events: list[EventType]) -> list[str]:
    for event in events:
        if event.get("name") == PROBLEM_SLOT and event.get("value"):
            return list(event["value"])
    return []
