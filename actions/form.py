"""The advice form: asks, one at a time, only for what the pending questions need, and
answers them from its last step.

Its validation is the form's only action-server call per turn (issue #20): it reads the
message (facts and questions), answers a new question asked at a prompt, decides what is
still needed, and gives the advice once nothing is. The form's questions are responses
(``utter_ask_<slot>`` in domain.yml) that Rasa says itself, without a call.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.answers import answer_now, asked_mid_form, give_advice
from actions.extract import already_read, form_was_waiting
from actions.problems import take_in
from actions.slots import (
    PROMPT_FAILURES_SLOT,
    REQUESTED_SLOT,
    UNSURE_SLOT,
    in_group_chat,
    pending_questions,
    profile_from_tracker,
    skipped_fields,
)
from img_strategy import Question, missing


class ValidateAdviceForm(FormValidationAction):
    """Reads, answers and decides, in one call. In a group chat it asks for nothing:
    :func:`give_advice` then offers a private chat instead."""

    def name(self) -> str:
        return "validate_advice_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # A reply at a prompt that asks something new gets its answer now; not when an
        # action before the form in this turn ("why?", "what if") has already answered it.
        at_prompt = form_was_waiting(tracker) and not already_read(tracker)
        reading = take_in(dispatcher, tracker)
        asked = asked_mid_form(tracker) if at_prompt else []
        events = [*reading.events, *await super().run(dispatcher, tracker, domain)]
        next_slot = _requested(events)
        pending = pending_questions(tracker) or [Question.CHANCES]
        new = [q for q in asked if q not in pending]
        if next_slot is None:
            # The last step: every question, the pending ones and any asked just now.
            events += give_advice(dispatcher, tracker, [*pending, *new])
        elif asked:
            events += answer_now(dispatcher, tracker, new or asked)
        if next_slot is not None and tracker.get_slot(UNSURE_SLOT):
            # A reading was just proposed back ("You mentioned 2024. Is that the year you
            # graduated?"): its yes or no is the reply awaited. The form waits for it
            # instead of asking a question on top (the same fact again, or another);
            # unsure_fact has no question of its own, so Rasa says nothing more.
            events.append(SlotSet(REQUESTED_SLOT, UNSURE_SLOT))
        if not any(e.get("event") == "slot" and e.get("name") != REQUESTED_SLOT for e in events):
            # Rasa rejects a form turn that sets no slot other than requested_slot, and its
            # fallback would then answer a reply that was read; so one is set, unchanged.
            events.append(SlotSet(PROMPT_FAILURES_SLOT, tracker.get_slot(PROMPT_FAILURES_SLOT)))
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if in_group_chat(tracker):
            return []
        profile, skipped = profile_from_tracker(tracker), skipped_fields(tracker)
        gaps: list[str] = []
        # Every question asked in the message: what the first needs is asked first.
        for question in pending_questions(tracker) or [Question.CHANCES]:
            for field in missing(question, profile, skipped):
                if field.value not in gaps:
                    gaps.append(field.value)
        return gaps


def _requested(events: list[dict[str, Any]]) -> str | None:
    """The slot the form asks for next, as the validation decided it (None: done)."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
            return event.get("value")
    return None
