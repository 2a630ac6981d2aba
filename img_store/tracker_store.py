"""Rasa's SQL tracker store, configured from the environment (see img_store.settings), so
`rasa shell` works with nothing set and production sets only what it needs."""

from __future__ import annotations

from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from img_store.settings import DatabaseSettings

FORGET_ACTION = "action_forget_me"


class EnvironmentSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection settings come from TRACKER_* variables."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url as host; ours is env-driven
        settings = DatabaseSettings.from_env().tracker_store_kwargs()
        super().__init__(domain=domain, event_broker=event_broker, **settings, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
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
