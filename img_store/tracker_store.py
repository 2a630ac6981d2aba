"""Rasa's SQL tracker store, configured from the environment (see img_store.settings), so
`rasa shell` works with nothing set and production sets only what it needs."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

from img_store.settings import DatabaseSettings

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_forget_me"
RECENT_TRACKERS_KEPT = 1000

# Senders whose last save failed, for the channel to tell them (img_channels.guard).
_save_failures: set[str] = set()


def take_save_failure(sender_id: str) -> bool:
    """True (once) if the last save of this sender's conversation failed."""
    if sender_id in _save_failures:
        _save_failures.discard(sender_id)
        return True
    return False


class EnvironmentSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection settings come from TRACKER_* variables.

    If the database goes away mid-run, conversations carry on from an in-process copy of
    the most recent trackers, and the user is told (once per outage) that saving failed;
    the first save after the database is back writes every event that was missed
    (SQLTrackerStore appends what the table lacks).
    """

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url as host; ours is env-driven
        settings = DatabaseSettings.from_env().tracker_store_kwargs()
        super().__init__(domain=domain, event_broker=event_broker, **settings, **kwargs)
        self._recent: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._unsaved: set[str] = set()

    def _remember(self, tracker: DialogueStateTracker) -> None:
        # No copy: Rasa is done with a tracker once it is saved, and copies cost a lot.
        self._recent[tracker.sender_id] = tracker
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > RECENT_TRACKERS_KEPT:
            sender_id, _ = self._recent.popitem(last=False)
            self._unsaved.discard(sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if sender_id in self._unsaved:
            # Newer than the database's copy until a save succeeds.
            return self._recent[sender_id].copy()
        try:
            tracker = await super().retrieve(sender_id)
        except SQLAlchemyError as error:
            logger.error("tracker store unreachable on retrieve: %s", type(error).__name__)
            cached = self._recent.get(sender_id)
            return cached.copy() if cached else None
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._remember(tracker)
        try:
            await self._save(tracker)
        except SQLAlchemyError as error:
            logger.error("tracker store unreachable on save: %s", type(error).__name__)
            if tracker.sender_id not in self._unsaved:
                _save_failures.add(tracker.sender_id)  # told once per outage
            self._unsaved.add(tracker.sender_id)
            return
        self._unsaved.discard(tracker.sender_id)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        """Save as usual, except after "forget me": then every stored event of this sender
        is deleted and nothing is written (writing would restore the conversation)."""
        if not any(
            isinstance(event, ActionExecuted) and event.action_name == FORGET_ACTION
            for event in tracker.events
        ):
            await super().save(tracker)
            return
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == tracker.sender_id
            ).delete(synchronize_session=False)
            session.commit()
