"""Rasa's SQL tracker store, configured from the environment (see img_store.settings), so
`rasa shell` works with nothing set and production sets only what it needs."""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import SQLAlchemyError

from img_store.events import ConversationForgotten
from img_store.health import SaveHealth
from img_store.profiles import embedded_engine, erase_deleted
from img_store.settings import DatabaseSettings

logger = logging.getLogger(__name__)

RECENT_TRACKERS_KEPT = 1000
NOT_STORED = -1  # never equal to a row id
NEWEST_ROWS_INDEX = "ix_events_sender_id_id"
# A turn's cost grows with the events its tracker holds (Rasa rebuilds the dialogue states
# from all of them for each prediction, and sends all of them on each action call). Past
# TRIM_AT_EVENTS, the tracker handed to Rasa keeps only about the last WINDOW_EVENTS, from
# the start of a user turn, after a prefix that sets the slots and the active form as they
# were there. The policies look at the last 4 turns (max_history), which the window holds;
# the table keeps every event.
WINDOW_EVENTS = 40
TRIM_AT_EVENTS = 80
# The attribute on a windowed tracker: table rows of its session it does not hold, minus
# the prefix events it holds that the table does not.
ROW_OFFSET = "_img_row_offset"


def windowed(
    tracker: DialogueStateTracker, domain: Domain
) -> tuple[DialogueStateTracker, int] | None:
    """The tracker cut to its last turns (see WINDOW_EVENTS) and how many events fewer it
    starts with; None when it is short enough or has no turn boundary to cut at."""
    events = list(tracker.events)
    if len(events) <= TRIM_AT_EVENTS:
        return None
    cut = next(
        (
            index
            for index in range(len(events) - WINDOW_EVENTS, len(events) - 1)
            if isinstance(events[index], ActionExecuted)
            and events[index].action_name == ACTION_LISTEN_NAME
            and isinstance(events[index + 1], UserUttered)
        ),
        None,
    )
    if cut is None:
        return None
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], domain.slots)
    stamp = events[cut].timestamp
    prefix: list[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp),
        SessionStarted(timestamp=stamp),
    ]
    prefix += [
        SlotSet(slot.name, slot.value, timestamp=stamp)
        for slot in before.slots.values()
        if slot.value != slot.initial_value
    ]
    if before.active_loop_name:
        prefix.append(ActiveLoop(before.active_loop_name, timestamp=stamp))
    shift = cut - len(prefix)
    window = DialogueStateTracker.from_events(
        tracker.sender_id, prefix + events[cut:], domain.slots
    )
    setattr(window, ROW_OFFSET, getattr(tracker, ROW_OFFSET, 0) + shift)
    return window, shift


@dataclass
class _Recent:
    tracker: DialogueStateTracker
    last_row_id: int  # the sender's newest row in the table right after our save
    stored_events: int  # how many of tracker.events the table held then


class TrackerCache:
    """In memory: the trackers this process saved last, the ones it handed to Rasa for a
    turn (with how many of their events the table holds), and the conversations whose
    save failed. Bounded to ``kept`` conversations each, oldest dropped first."""

    def __init__(self, kept: int = RECENT_TRACKERS_KEPT) -> None:
        self.kept = kept
        self._saved: OrderedDict[str, _Recent] = OrderedDict()
        self._handed_out: OrderedDict[str, _Recent] = OrderedDict()
        self._unsaved: set[str] = set()

    def remember(self, tracker: DialogueStateTracker, last_row_id: int) -> None:
        # No copy: Rasa is done with a tracker once it is saved. A retrieve takes the
        # entry out, so a turn that fails half-way never leaves a half-updated tracker.
        self._saved[tracker.sender_id] = _Recent(tracker, last_row_id, len(tracker.events))
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self.kept:
            sender_id, _ = self._saved.popitem(last=False)
            self._unsaved.discard(sender_id)

    def take_saved(self, sender_id: str) -> _Recent | None:
        return self._saved.pop(sender_id, None)

    def hand_out(self, recent: _Recent) -> DialogueStateTracker:
        sender_id = recent.tracker.sender_id
        self._handed_out[sender_id] = recent
        self._handed_out.move_to_end(sender_id)
        while len(self._handed_out) > self.kept:  # turns that never saved
            self._handed_out.popitem(last=False)
        return recent.tracker

    def take_handed_out(self, sender_id: str) -> _Recent | None:
        return self._handed_out.pop(sender_id, None)

    def is_unsaved(self, sender_id: str) -> bool:
        return sender_id in self._unsaved

    def save_failed(self, sender_id: str) -> bool:
        """Mark the conversation unsaved; True if it was saved until now."""
        first = sender_id not in self._unsaved
        self._unsaved.add(sender_id)
        return first

    def saved(self, sender_id: str) -> None:
        self._unsaved.discard(sender_id)


class EnvironmentSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection settings come from TRACKER_* variables.

    It keeps the trackers it saved last in this process. A retrieve hands such a tracker
    back (once) when the sender's newest row is still the one this process wrote, which
    one indexed MAX(id) query tells; otherwise, as when another instance took a turn, it
    reads the table as usual. Rebuilding a tracker from its rows was 15 % of a turn's CPU
    time. Saving such a tracker appends the events past the ones it knows are stored,
    without Rasa's count of the session's rows.

    If the database goes away mid-run, conversations carry on from those trackers and
    the user is told (once per outage) that saving failed; the first save after the
    database is back writes every event that was missed (SQLTrackerStore appends what
    the table lacks).
    """

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        health: SaveHealth | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url as host; ours is env-driven
        settings = DatabaseSettings.from_env().tracker_store_kwargs()
        super().__init__(domain=domain, event_broker=event_broker, **settings, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa's engine opens a new SQLite connection per session; ours keeps them.
            self.engine.dispose()
            self.engine = embedded_engine(self.engine.url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._index_newest_rows()
        self.cache = TrackerCache()
        # Built once: SQLAlchemy building and keying a statement on every call cost more
        # than running it (two per turn; ~5 % of the server's CPU per message, issue #20).
        table = self.SQLEvent.__table__
        self._newest_row = sa.text(f"SELECT max(id) FROM {table.name} WHERE sender_id = :sender")
        # Where the driver can (PostgreSQL), the insert returns the new ids, which saves
        # reading the newest one back with a second statement.
        self._returns_ids = bool(
            getattr(self.engine.dialect, "insert_executemany_returning", False)
        )
        self._insert_rows = sa.insert(table)
        if self._returns_ids:
            self._insert_rows = self._insert_rows.returning(table.c.id)
        # A turn's two statements, the check of the newest row and the insert (one
        # statement for up to 1,000 rows), run on their own. On PostgreSQL in autocommit: a
        # transaction around a single statement cost a BEGIN and a COMMIT or ROLLBACK, two
        # more round trips that block Rasa's event loop (4 of a turn's 6, issue #20). Its
        # own pool, whose connections stay in autocommit: switching a pooled connection in
        # and out of it costs a round trip each time. On SQLite, where each row is
        # inserted by itself, in one transaction.
        self._single_statements = (
            sa.create_engine(
                self.engine.url,
                isolation_level="AUTOCOMMIT",
                **create_engine_kwargs(self.engine.url),
            )
            if self.engine.dialect.name == "postgresql"
            else self.engine
        )
        # Where failed saves are reported, for the channels to tell the user.
        self.health = health or SaveHealth.of_process()

    def _hand_out(self, recent: _Recent) -> DialogueStateTracker:
        cut = windowed(recent.tracker, self.domain) if self.domain is not None else None
        if cut is not None:
            window, shift = cut
            recent = _Recent(window, recent.last_row_id, recent.stored_events - shift)
        return self.cache.hand_out(recent)

    def _index_newest_rows(self) -> None:
        """Index the table on (sender_id, id). Rasa's index on sender_id alone made every
        turn's newest-row check read all of the sender's rows, more with each turn; with
        this one it reads one index entry. Rasa's own reads, in id order, use it too."""
        table = self.SQLEvent.__table__.name
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        f"CREATE INDEX IF NOT EXISTS {NEWEST_ROWS_INDEX} ON {table} (sender_id, id)"
                    )
                )
        except SQLAlchemyError as error:  # another instance starting creates it meanwhile
            logger.warning("index %s not created: %s", NEWEST_ROWS_INDEX, type(error).__name__)

    def _drop_connections(self) -> None:
        """After a database error, close both pools' connections. SQLAlchemy discards a
        pool whose connection died, but only the pool that saw it: the other one's would
        fail once more after the database is back, losing that turn's save."""
        self.engine.dispose()
        if self._single_statements is not self.engine:
            self._single_statements.dispose()

    def _last_row_id(self, connection: sa.engine.Connection, sender_id: str) -> int:
        newest = connection.execute(self._newest_row, {"sender": sender_id}).scalar()
        return NOT_STORED if newest is None else int(newest)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        recent = self.cache.take_saved(sender_id)
        if recent is not None and self.cache.is_unsaved(sender_id):
            return recent.tracker  # newer than the table until a save succeeds
        try:
            if recent is not None:
                with self._single_statements.begin() as connection:
                    if self._last_row_id(connection, sender_id) == recent.last_row_id:
                        return self._hand_out(recent)
            tracker = await super().retrieve(sender_id)
            if tracker is None:
                return None
            return self._hand_out(_Recent(tracker, NOT_STORED, len(tracker.events)))
        except SQLAlchemyError as error:
            logger.error("tracker store unreachable on retrieve: %s", type(error).__name__)
            self._drop_connections()
            return recent.tracker if recent is not None else None

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        try:
            last_row_id = await self._save(tracker)
        except SQLAlchemyError as error:
            logger.error("tracker store unreachable on save: %s", type(error).__name__)
            self._drop_connections()
            if self.cache.save_failed(sender_id):
                self.health.save_failed(sender_id)  # told once per outage
            self.cache.remember(tracker, NOT_STORED)
            return
        self.cache.saved(sender_id)
        if last_row_id is None:
            self.cache.take_saved(sender_id)
        else:
            self.cache.remember(tracker, last_row_id)

    async def _save(self, tracker: DialogueStateTracker) -> int | None:
        """Append the events the table lacks, as SQLTrackerStore.save does, and return
        the sender's newest row id. After "forget me", delete every stored event of this
        sender instead, write nothing (that would restore the conversation), return None.
        """
        if any(isinstance(event, ConversationForgotten) for event in tracker.events):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id == tracker.sender_id
                ).delete(synchronize_session=False)
                session.commit()
            erase_deleted(self.engine)
            return None
        handed_out = self.cache.take_handed_out(tracker.sender_id)
        await self.stream_events(tracker)
        if handed_out is not None and handed_out.tracker is tracker:
            new_events: Iterable[Any] = islice(tracker.events, handed_out.stored_events, None)
        else:
            with self.session_scope() as session:
                new_events = list(self._additional_events(session, tracker))
        rows = [self._row(tracker.sender_id, event) for event in new_events]
        with self._single_statements.begin() as connection:
            if not rows:
                return self._last_row_id(connection, tracker.sender_id)
            # One executemany of plain rows: the ORM's unit of work inserted them one by
            # one to learn each id (about 5 % of the server's CPU per message). The newest
            # id is returned or read back instead; the lock store serialises a sender's
            # turns, so no other instance writes this sender's rows meanwhile.
            result = connection.execute(self._insert_rows, rows)
            if self._returns_ids:
                return max(row_id for (row_id,) in result)
            return self._last_row_id(connection, tracker.sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterable[Any]:
        """Rasa's count of the session's stored rows, mapped onto a windowed tracker."""
        stored = self._event_query(
            session, tracker.sender_id, fetch_events_from_all_sessions=False
        ).count()
        return islice(tracker.events, max(stored - getattr(tracker, ROW_OFFSET, 0), 0), None)

    def _row(self, sender_id: str, event: Any) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
