"""The one shape of a replying action: read the message, say what reading it found to say,
then reply. Reading and replying are one action-server call (issue #20)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.extract import Reading, read_message


def take_in(dispatcher: CollectingDispatcher, tracker: Tracker) -> Reading:
    """Read the latest message (unless this turn already has), say what the reading found
    to say (a welcome back, a refused value, an unsure reading to confirm, a hint at a
    prompt), and apply its slots to ``tracker`` so that the reply sees the new facts."""
    reading = read_message(tracker)
    for text in reading.texts:
        dispatcher.utter_message(text=text)
    tracker.add_slots(reading.events)
    return reading


class Reply(Action, ABC):
    """An action that answers the user: it reads the message first (:func:`take_in`), so
    subclasses write :meth:`reply` only. (rasa_sdk skips abstract classes.)"""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reading = take_in(dispatcher, tracker)
        return [*reading.events, *await self.reply(dispatcher, tracker, domain)]

    @abstractmethod
    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Say this action's own reply; the events it sets."""
