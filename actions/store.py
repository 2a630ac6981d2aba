"""The remembered-profile store as the actions see it: opened lazily, failures reported.

Database trouble never ends the conversation: a failed save or delete is reported to the
user and the conversation goes on from the tracker (see messages.SAVE_FAILED).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import lru_cache

from rasa_sdk import Tracker
from sqlalchemy.exc import SQLAlchemyError

from img_store.conversation import ConversationKey, InvalidUserId
from img_store.profiles import ProfileStore, SchemaBehindError, open_profile_store

logger = logging.getLogger(__name__)

StoreError = (SQLAlchemyError, SchemaBehindError, OSError)


@lru_cache(maxsize=1)
def profile_store() -> ProfileStore:
    """The store on the TRACKER_* database (the action server checks it at start)."""
    return open_profile_store()


# How long a health check of the database stands, per action-server worker. Checking on
# every message was half of the action server's CPU and three round trips to PostgreSQL
# (issue #20). A turn in the first seconds of an outage is still told by its channel, whose
# save of the conversation fails (img_channels.guard, notices.SAVE_FAILED).
HEALTH_CHECK_INTERVAL_S = 2.0


class HealthCheck:
    """Whether the store is reachable, checked at most every ``interval_s``."""

    def __init__(
        self,
        ping: Callable[[], None],
        interval_s: float = HEALTH_CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ping, self._interval_s, self._clock = ping, interval_s, clock
        self._checked_at: float | None = None
        self._error: str | None = None

    def error(self) -> str | None:
        """None when reachable, else the kind of failure (a type name, never a message:
        a driver's message can carry the connection string)."""
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= self._interval_s:
            try:
                self._ping()
                self._error = None
            except StoreError as exc:
                self._error = type(exc).__name__
            self._checked_at = now
        return self._error


@lru_cache(maxsize=1)
def _health_of(store: ProfileStore) -> HealthCheck:
    return HealthCheck(store.ping)


def storage_error() -> str | None:
    """The store's health, as last checked (see HEALTH_CHECK_INTERVAL_S)."""
    try:
        store = profile_store()
    except StoreError as exc:  # not even opened (retried on the next message)
        return type(exc).__name__
    return _health_of(store).error()


def owner(tracker: Tracker) -> tuple[str, str]:
    """(channel, user id) a profile is stored under: "42" on Telegram is not "42" on
    WhatsApp. Read from the conversation id the channel set (img_store.conversation), never
    from the input channel a message claims."""
    try:
        key = ConversationKey.parse(tracker.sender_id)
    except InvalidUserId:  # an id made through the token-protected HTTP API
        return "unknown", tracker.sender_id
    return key.channel.value, key.user_id
