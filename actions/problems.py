"""Things action_extract_profile wants said (Rasa 3.6 drops messages sent during slot
extraction): a welcome-back summary and explanations of refused input. Whichever action
replies next says them first and clears them."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import NOTICE_SLOT, PROBLEM_SLOT


def say_pending_notices(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Utter the pending welcome-back and refused-input texts, then clear them."""
    events: list[EventType] = []
    for slot in (NOTICE_SLOT, PROBLEM_SLOT):
        pending = tracker.get_slot(slot)
        if not pending:
            continue
        for text in pending if isinstance(pending, list) else [pending]:
            dispatcher.utter_message(text=str(text))
        events.append(SlotSet(slot, None))
    return events
