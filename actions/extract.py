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
from actions.mentions import facts_from_message
from actions.slots import (
    CONSENT_PENDING_SLOT,
    CONSENT_SLOT,
    NOTICE_SLOT,
    PROBLEM_SLOT,
    PROFILE_SLOTS,
    QUESTION_SLOT,
    SKIPPED_SLOT,
    STORAGE_DOWN_SLOT,
    STORE_CHECKED_SLOT,
    UNSURE_SLOT,
    profile_slot_events,
    question_from_intent,
    requested_field,
    today,
)
from actions.store import StoreError, channel_of, profile_store
from img_strategy import Field, default_rules, describe
from img_strategy.render import confirm_question, explain_problem

logger = logging.getLogger(__name__)

# Intents whose numbers are hypothetical or not about the user at all.
NO_EXTRACTION_INTENTS = frozenset({"what_if", "out_of_scope", "bot_challenge"})


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

        question = question_from_intent(intent)
        if question is not None and not in_form:
            # Inside the form a new question is answered on the spot and the pending one
            # is kept (see the interruption rule).
            events.append(SlotSet(QUESTION_SLOT, question.value))
        if intent in NO_EXTRACTION_INTENTS:
            return events
        asked = tracker.get_slot(UNSURE_SLOT)
        if asked:
            # The answer to "is that your US clinical experience?": a yes stores the
            # reading, a no drops it; anything else drops it and is read as usual.
            events.append(SlotSet(UNSURE_SLOT, None))
            if intent == "affirm" and isinstance(asked, dict):
                return [*events, *profile_slot_events(asked)]
            if intent == "deny":
                return events

        expected = requested_field(tracker) if in_form else None
        if intent == "skip" and expected is not None:
            skipped = list(tracker.get_slot(SKIPPED_SLOT) or [])
            if expected.value not in skipped:
                skipped.append(expected.value)
            if expected == Field.STEP2 and Field.STEP2_PRACTICE.value not in skipped:
                skipped.append(Field.STEP2_PRACTICE.value)
            return [*events, SlotSet(SKIPPED_SLOT, skipped)]

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
        if parsed.problems or unsure:
            # Rasa 3.6 drops messages sent during slot extraction, so the explanation is
            # stored and spoken by the next action (see actions.problems). It is also a form
            # slot, so the form re-asks instead of rejecting the turn.
            texts = [explain_problem(p) for p in parsed.problems]
            texts += [confirm_question(u) for u in unsure]
            events.append(SlotSet(PROBLEM_SLOT, [*_pending_problems(events), *texts]))
        return events


def _returning_user(tracker: Tracker) -> list[EventType]:
    """Once per session: load the profile this user asked to be remembered."""
    if tracker.get_slot(STORE_CHECKED_SLOT):
        return []
    events: list[EventType] = [SlotSet(STORE_CHECKED_SLOT, True)]
    try:
        remembered = profile_store().load(channel_of(tracker), tracker.sender_id)
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
