"""Explanations of refused input, spoken by whichever action replies next."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import PROBLEM_SLOT


def say_pending_problems(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Utter what action_extract_profile refused this turn, then clear it."""
    problems = tracker.get_slot(PROBLEM_SLOT)
    if not problems:
        return []
    for text in problems if isinstance(problems, list) else [problems]:
        dispatcher.utter_message(text=str(text))
    return [SlotSet(PROBLEM_SLOT, None)]
