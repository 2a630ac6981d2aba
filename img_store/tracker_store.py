"""Rasa's SQL tracker store, configured from the environment (see img_store.settings), so
`rasa shell` works with nothing set and production sets only what it needs."""

from __future__ import annotations

from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from img_store.settings import DatabaseSettings


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
