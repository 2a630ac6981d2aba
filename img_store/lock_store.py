"""A Redis lock store whose ticket updates are atomic, for several Rasa instances.

Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it in Python and
writes it back, in separate commands. Two instances taking tickets at the same moment
can both read the same lock, both get the same ticket number, and process one user's
messages at once; SQLTrackerStore then silently drops one turn's events (it appends
only what lies beyond the row count). Our cluster test caught exactly that (12
concurrent messages, 10 stored). Here every read-modify-write is one optimistic Redis
transaction (WATCH/MULTI/EXEC, retried on conflict); the first-come, first-served
ticket order is Rasa's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

T = TypeVar("T")
_UNCHANGED = object()
_DELETE = object()


class AtomicRedisLockStore(RedisLockStore):
    """endpoints.yml: ``lock_store: {type: img_store.lock_store.AtomicRedisLockStore,
    url: <host>, port: ..., db: ..., key_prefix: ...}`` (the RedisLockStore keys)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _transact(
        self, conversation_id: str, change: Callable[[TicketLock | None], tuple[object, T]]
    ) -> T:
        """Apply ``change`` to the stored lock atomically. ``change`` returns what to store
        (a TicketLock, _UNCHANGED or _DELETE) and a result."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    outcome, result = change(lock)
                    pipe.multi()
                    if isinstance(outcome, TicketLock):
                        pipe.set(key, outcome.dumps())
                    elif outcome is _DELETE:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except WatchError:
                    continue  # another instance changed the lock meanwhile: redo

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[object, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._transact(conversation_id, take)
        except Exception as error:  # as RedisLockStore does
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[object, None]:
            if lock is None:
                return _UNCHANGED, None
            lock.remove_expired_tickets()
            return lock, None

        self._transact(conversation_id, expire)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving the ticket and delete the lock if no one else waits, in one
        step (Rasa's separate delete could drop a ticket issued in between)."""

        def finish(lock: TicketLock | None) -> tuple[object, None]:
            if lock is None:
                return _UNCHANGED, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else _DELETE), None

        self._transact(conversation_id, finish)
