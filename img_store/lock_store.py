"""A Redis lock store whose ticket updates are atomic, for several Rasa instances.

Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it in Python and
writes it back, in separate commands. Two instances taking tickets at the same moment
can both read the same lock, both get the same ticket number, and process one user's
messages at once; SQLTrackerStore then silently drops one turn's events (it appends
only what lies beyond the row count). Our cluster test caught exactly that (12
concurrent messages, 10 stored).

Here each read-modify-write is one Lua script, which Redis runs atomically: issuing a
ticket, finishing one and dropping expired ones are one round trip each. A turn costs
three (issue, read, finish); the optimistic WATCH/MULTI/EXEC transactions this replaced
took seven, each of which blocks the Rasa server's event loop (issue #20). The lock keeps
Rasa's JSON layout, so Rasa's own ``get_lock`` and ``TicketLock`` read it, and Rasa's
first-come, first-served ticket order.
"""

from __future__ import annotations

import time
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# KEYS[1]: the lock. ARGV: operation ("issue", "expire", "finish"), the caller's clock
# (time.time(), the clock Rasa's TicketLock checks expiry against), the lifetime of a new
# ticket or the number of the ticket to finish, and the conversation id for a new lock.
# Tickets are stored as Rasa stores them: a list of JSON strings inside the lock's JSON.
# The JSON is written by hand because cjson writes an empty list as {} and rounds floats
# to 14 digits; expiry times are written to the microsecond.
_TICKET_SCRIPT = """
local operation, now, argument = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local stored = redis.call('GET', KEYS[1])
if not stored and operation ~= 'issue' then
  return -1
end
local conversation_id, tickets = ARGV[4], {}
if stored then
  local lock = cjson.decode(stored)
  conversation_id = lock['conversation_id']
  for _, serialised in ipairs(lock['tickets'] or {}) do
    local ticket = cjson.decode(serialised)
    if ticket['expires'] >= now then  -- Rasa: expired when now > expires
      tickets[#tickets + 1] = ticket
    end
  end
end
local result = -1
if operation == 'issue' then
  result = #tickets > 0 and tickets[#tickets]['number'] + 1 or 0
  tickets[#tickets + 1] = {number = result, expires = now + argument}
elseif operation == 'finish' then
  local kept = {}
  for _, ticket in ipairs(tickets) do
    if ticket['number'] ~= argument then
      kept[#kept + 1] = ticket
    end
  end
  tickets = kept
  if #tickets == 0 then
    redis.call('DEL', KEYS[1])
    return result
  end
end
local serialised = {}
for index, ticket in ipairs(tickets) do
  serialised[index] = cjson.encode(
    string.format('{"number": %d, "expires": %.6f}', ticket['number'], ticket['expires']))
end
redis.call('SET', KEYS[1], string.format('{"conversation_id": %s, "tickets": [%s]}',
  cjson.encode(conversation_id), table.concat(serialised, ', ')))
return result
"""


class AtomicRedisLockStore(RedisLockStore):
    """endpoints.yml: ``lock_store: {type: img_store.lock_store.AtomicRedisLockStore,
    url: <host>, port: ..., db: ..., key_prefix: ...}`` (the RedisLockStore keys)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)
        # Sent by its SHA1 (EVALSHA), and loaded again if Redis has lost it (NOSCRIPT).
        self._tickets = self.red.register_script(_TICKET_SCRIPT)

    def _run(self, operation: str, conversation_id: str, argument: float) -> int:
        key = self.key_prefix + conversation_id
        now = f"{time.time():.6f}"
        return int(self._tickets(keys=[key], args=[operation, now, argument, conversation_id]))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._run("issue", conversation_id, lock_lifetime)
        except Exception as error:  # as RedisLockStore does
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop the lock's expired tickets (Rasa calls it while a ticket waits)."""
        self._run("expire", conversation_id, 0)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving the ticket and delete the lock if no one else waits, in one
        step (Rasa's separate delete could drop a ticket issued in between)."""
        self._run("finish", conversation_id, ticket_number)
