"""Remembered profiles: saved only with the user's consent, keyed by channel and user id.

SQLAlchemy 1.4 used in its 2.0 style (``future=True`` engines, ``select()``, ``Session``).
The schema is owned by Alembic (img_store/migrations); :func:`open_profile_store` refuses a
database whose schema is behind and names the command that upgrades it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    String,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import URL, Engine, create_engine
from sqlalchemy.orm import Mapped, Session, registry
from sqlalchemy.pool import QueuePool

from img_store.settings import DatabaseSettings
from img_strategy import Profile

mapper_registry = registry()
metadata = mapper_registry.metadata

DEFAULT_RETENTION_DAYS = 180


@mapper_registry.mapped
class StoredProfile:
    __tablename__ = "img_profiles"

    channel: Mapped[str] = Column(String(64), primary_key=True)
    user_id: Mapped[str] = Column(String(255), primary_key=True)
    data: Mapped[dict[str, Any]] = Column(JSON, nullable=False)
    consented_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    last_used_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, index=True)


class SchemaBehindError(RuntimeError):
    """The database schema is older than this code; run the upgrade command."""


@dataclass(frozen=True)
class Remembered:
    profile: Profile
    consented_at: datetime
    last_used_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ProfileStore:
    """Profiles users agreed to have remembered. All methods are short transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ping(self) -> None:
        """Raise if the database cannot be reached (a per-message health check)."""
        with self.engine.connect() as connection:
            connection.execute(select(1))

    def load(self, channel: str, user_id: str, *, now: datetime | None = None) -> Remembered | None:
        """The stored profile, marking it as used (for the retention clock)."""
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(StoredProfile, (channel, user_id))
            if row is None:
                return None
            row.last_used_at = now or _now()
            return Remembered(Profile.from_dict(row.data), row.consented_at, row.last_used_at)

    def save(
        self, channel: str, user_id: str, profile: Profile, *, now: datetime | None = None
    ) -> None:
        """Create or replace the remembered profile (the caller has the user's consent)."""
        now = now or _now()
        data = profile.to_dict()
        with Session(self.engine, future=True) as session, session.begin():
            row = session.get(StoredProfile, (channel, user_id))
            if row is None:
                session.add(
                    StoredProfile(
                        channel=channel,
                        user_id=user_id,
                        data=data,
                        consented_at=now,
                        updated_at=now,
                        last_used_at=now,
                    )
                )
            else:
                row.data, row.updated_at, row.last_used_at = data, now, now

    def forget(self, channel: str, user_id: str) -> int:
        """Delete the stored profile (the conversation's events go when Rasa saves the
        "forget me" turn: img_store.events). Returns the rows deleted."""
        with Session(self.engine, future=True) as session, session.begin():
            deleted = session.execute(
                delete(StoredProfile).where(
                    StoredProfile.channel == channel, StoredProfile.user_id == user_id
                )
            ).rowcount
        erase_deleted(self.engine)
        return deleted

    def purge_unused(
        self, older_than_days: int = DEFAULT_RETENTION_DAYS, *, now: datetime | None = None
    ) -> int:
        """Delete profiles not used for ``older_than_days``; returns how many."""
        cutoff = (now or _now()) - timedelta(days=older_than_days)
        with Session(self.engine, future=True) as session, session.begin():
            return session.execute(
                delete(StoredProfile).where(StoredProfile.last_used_at < cutoff)
            ).rowcount

    def count(self) -> int:
        with Session(self.engine, future=True) as session:
            return session.execute(select(func.count()).select_from(StoredProfile)).scalar_one()

    def touch(self, channel: str, user_id: str, when: datetime) -> None:
        """Set last use explicitly (tests of the retention clock)."""
        with Session(self.engine, future=True) as session, session.begin():
            session.execute(
                update(StoredProfile)
                .where(StoredProfile.channel == channel, StoredProfile.user_id == user_id)
                .values(last_used_at=when)
            )


def make_engine(settings: DatabaseSettings | None = None) -> Engine:
    settings = settings or DatabaseSettings.from_env()
    if settings.dialect == "sqlite":
        return embedded_engine(settings.url())
    return create_engine(settings.url(), future=True, pool_pre_ping=True)


def embedded_engine(url: URL | str) -> Engine:
    """SQLite with a pool of open connections (SQLAlchemy 1.4 opens a new one for every
    session on a file database, a cost on every turn), write-ahead logging so readers
    never wait for a writer, and no fsync per commit (a crash may lose the last turns,
    never corrupt the file)."""
    engine = create_engine(
        url,
        future=True,
        poolclass=QueuePool,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _tune(connection: Any, _: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not left in free pages ("forget me").
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


def erase_deleted(engine: Engine, attempts: int = 20) -> bool:
    """After a deletion on SQLite: copy the write-ahead log into the database file and
    truncate it, so the log's older copies of the deleted rows are gone too. Returns False
    if a reader kept the log busy through every attempt (it is retried on the next one).
    """
    if engine.dialect.name != "sqlite":
        return True
    for _ in range(attempts):
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if not busy:
            return True
        time.sleep(0.05)
    return False


def open_profile_store(settings: DatabaseSettings | None = None) -> ProfileStore:
    """A store on a database whose schema is current; otherwise a clear error."""
    from img_store.migrations import check_schema_current

    engine = make_engine(settings)
    check_schema_current(engine)
    return ProfileStore(engine)
