"""Which database the stores use: one choice, from the environment, for both stores.

TRACKER_DIALECT   sqlite (default) or postgresql
TRACKER_DB        SQLite file (default var/tracker.db) or PostgreSQL database name
TRACKER_HOST, TRACKER_PORT, TRACKER_USER, TRACKER_PASSWORD   PostgreSQL connection
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

DEFAULT_SQLITE_PATH = "var/tracker.db"


@dataclass(frozen=True)
class DatabaseSettings:
    dialect: str = "sqlite"
    database: str = DEFAULT_SQLITE_PATH
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DatabaseSettings:
        env = os.environ if env is None else env
        dialect = env.get("TRACKER_DIALECT") or "sqlite"
        if dialect == "sqlite":
            return cls(dialect, env.get("TRACKER_DB") or DEFAULT_SQLITE_PATH)
        return cls(
            dialect=dialect,
            database=env.get("TRACKER_DB") or "rasa",
            host=env.get("TRACKER_HOST") or "127.0.0.1",
            port=int(env["TRACKER_PORT"]) if env.get("TRACKER_PORT") else None,
            username=env.get("TRACKER_USER") or None,
            password=env.get("TRACKER_PASSWORD") or None,
        )

    def _sqlite_file(self) -> str:
        """The SQLite file, its folder created (the default lives in a git-ignored var/)."""
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        return self.database

    def url(self) -> URL:
        """SQLAlchemy URL (the password is never part of its string form)."""
        if self.dialect == "sqlite":
            return URL.create("sqlite", database=self._sqlite_file())
        return URL.create(
            self.dialect,
            username=self.username,
            password=self.password,
            host=self.host,
            port=self.port,
            database=self.database,
        )

    def tracker_store_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Rasa's SQLTrackerStore."""
        if self.dialect == "sqlite":
            return {"dialect": "sqlite", "db": self._sqlite_file()}
        kwargs: dict[str, Any] = {"dialect": self.dialect, "db": self.database, "host": self.host}
        for key, value in (
            ("port", self.port),
            ("username", self.username),
            ("password", self.password),
        ):
            if value is not None:
                kwargs[key] = value
        return kwargs
