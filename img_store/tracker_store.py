"""Rasa's SQL tracker store, configured from environment variables with safe defaults.

endpoints.yml names this class; the database comes from:

    TRACKER_DIALECT   sqlite (default) or postgresql
    TRACKER_DB        file path for SQLite (default var/tracker.db), database name otherwise
    TRACKER_HOST, TRACKER_PORT, TRACKER_USER, TRACKER_PASSWORD   for PostgreSQL

so `rasa shell` works with nothing set, and production sets only what it needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

DEFAULT_SQLITE_PATH = "var/tracker.db"


def tracker_db_settings(env: dict[str, str] | None = None) -> dict[str, Any]:
    """SQLTrackerStore keyword arguments from the environment."""
    env = dict(os.environ if env is None else env)
    dialect = env.get("TRACKER_DIALECT") or "sqlite"
    settings: dict[str, Any] = {"dialect": dialect}
    if dialect == "sqlite":
        path = env.get("TRACKER_DB") or DEFAULT_SQLITE_PATH
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        settings["db"] = path
        return settings
    settings["db"] = env.get("TRACKER_DB") or "rasa"
    settings["host"] = env.get("TRACKER_HOST") or "127.0.0.1"
    if env.get("TRACKER_PORT"):
        settings["port"] = int(env["TRACKER_PORT"])
    if env.get("TRACKER_USER"):
        settings["username"] = env["TRACKER_USER"]
    if env.get("TRACKER_PASSWORD"):
        settings["password"] = env["TRACKER_PASSWORD"]
    return settings


class EnvironmentSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection settings come from TRACKER_* variables."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url as host; ours is env-driven
        super().__init__(
            domain=domain, event_broker=event_broker, **tracker_db_settings(), **kwargs
        )
