"""Reading profile facts from every user message (Rasa's custom slot mapping action).

Rasa runs this after each user message, inside and outside the form, so facts can be
given, added to or corrected at any point. Parsing and validation are the strategy
module's; this adapter only turns the result into slot events and replies.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import (
    PROBLEM_SLOT,
    QUESTION_SLOT,
    SKIPPED_SLOT,
    profile_slot_events,
    question_from_intent,
    requested_field,
    today,
)
from img_strategy import Field
from img_strategy.parsing import Mention, facts_from_mentions
from img_strategy.render import explain_problem

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
        events: list[EventType] = []

        question = question_from_intent(intent)
        if question is not None and not in_form:
            # Inside the form a new question is answered on the spot and the pending one
            # is kept (see the interruption rule).
            events.append(SlotSet(QUESTION_SLOT, question.value))
        if intent in NO_EXTRACTION_INTENTS:
            return events

        expected = requested_field(tracker) if in_form else None
        if intent == "skip" and expected is not None:
            skipped = list(tracker.get_slot(SKIPPED_SLOT) or [])
            if expected.value not in skipped:
                skipped.append(expected.value)
            if expected == Field.STEP2 and Field.STEP2_PRACTICE.value not in skipped:
                skipped.append(Field.STEP2_PRACTICE.value)
            return [*events, SlotSet(SKIPPED_SLOT, skipped)]

        mentions = [
            mention
            for entity in message.get("entities") or []
            if (mention := Mention.from_entity(entity)) is not None
        ]
        parsed = facts_from_mentions(
            message.get("text") or "", mentions, today=today(), expected=expected
        )
        events.extend(profile_slot_events(parsed.changes))
        if parsed.problems:
            # Rasa 3.6 drops messages sent during slot extraction, so the explanation is
            # stored and spoken by the next action (see actions.problems). It is also a form
            # slot, so the form re-asks instead of rejecting the turn.
            events.append(SlotSet(PROBLEM_SLOT, [explain_problem(p) for p in parsed.problems]))
        return events
