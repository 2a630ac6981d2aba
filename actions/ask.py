"""The form's questions: one ``action_ask_<slot>`` per profile fact (Rasa's form looks for
these before ``utter_ask_<slot>``), with one-tap answers as buttons."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import SLOT_QUESTIONS
from actions.problems import Reply


class AskForSlot(Reply, ABC):
    """Asks for one slot; concrete subclasses are made below, one per entry of
    SLOT_QUESTIONS, because rasa_sdk registers actions by class (and skips this abstract
    base)."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def reply(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, options = SLOT_QUESTIONS[self.slot]
        buttons = [{"title": title, "payload": payload} for title, payload in options]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


ASK_ACTIONS = {
    slot: type(f"AskFor_{slot}", (AskForSlot,), {"slot": slot}) for slot in SLOT_QUESTIONS
}
