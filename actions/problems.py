"""Things the bot must say before its next reply: a welcome-back summary, explanations of
refused input, the storage-down notice. action_extract_profile finds them but cannot say
them (Rasa 3.6 drops messages sent during slot extraction), so it stores them in slots, and
every replying action says them first through :class:`Reply`, the one place that does."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import NOTICE_SLOT, PROBLEM_SLOT

NOTICE_SLOTS = (NOTICE_SLOT, PROBLEM_SLOT)


def pending_notices(tracker: Tracker) -> list[str]:
    """The texts waiting to be said, welcome-back first."""
    texts: list[str] = []
    for slot in NOTICE_SLOTS:
        pending = tracker.get_slot(slot)
        if pending:
            texts += [str(text) for text in (pending if isinstance(pending, list) else [pending])]
    return texts


class Reply(Action, ABC):
    """An action that answers the user. Pending notices are said before its own reply and
    then cleared; subclasses write :meth:`reply` only. (rasa_sdk skips abstract classes.)"""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        notices = pending_notices(tracker)
        for text in notices:
            dispatcher.utter_message(text=text)
        cleared = [SlotSet(slot, None) for slot in NOTICE_SLOTS if tracker.get_slot(slot)]
        return [*cleared, *await self.reply(dispatcher, tracker, domain)]

    @abstractmethod
    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Say this action's own reply; the events it sets."""
