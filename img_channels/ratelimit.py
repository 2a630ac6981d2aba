"""The per-user rate limit, keyed by the conversation key the channel verified (never by an
id the client picks), with bounded memory.

With ``REDIS_HOST`` set (the cluster sets it) every instance counts in the same Redis, one
sorted set per user that expires with its window; otherwise this process counts, in a
table of at most ``MAX_TRACKED`` users. If Redis cannot be reached, this process counts
until it is back, so a Redis outage neither blocks nor unthrottles everyone.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WINDOW_S = 60.0
MAX_TRACKED = 10_000  # users counted in one process; the least recent are dropped first


class Verdict(Enum):
    ALLOW = "allow"
    REFUSE_AND_WARN = "refuse and warn"  # the first refusal in a window: one polite reply
    REFUSE = "refuse"  # later refusals in the same window: silence


class RateLimiter(Protocol):
    async def check(self, key: str) -> Verdict: ...


class LocalLimiter:
    """At most ``limit`` messages per key in any ``window_s`` seconds, in this process."""

    def __init__(
        self,
        limit: int,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_tracked = max_tracked
        self._clock = clock
        # key -> (accepted times, when the key was last warned); least recent first
        self._keys: OrderedDict[str, tuple[deque[float], list[float]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    async def check(self, key: str) -> Verdict:
        if self.limit <= 0:
            return Verdict.ALLOW
        now = self._clock()
        times, warned = self._keys.pop(key, None) or (deque(maxlen=self.limit), [])
        self._keys[key] = (times, warned)  # most recent last
        while len(self._keys) > self.max_tracked:
            self._keys.popitem(last=False)
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return Verdict.ALLOW
        if warned and now - warned[0] < self.window_s:
            return Verdict.REFUSE
        warned[:] = [now]
        return Verdict.REFUSE_AND_WARN


# One atomic step: drop the key's times older than the window, then accept (and remember
# the time) if fewer than the limit remain. The key expires with its window.
_ACCEPT = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return 1
end
return 0
"""


class RedisLimiter:
    """The same limit, shared by every instance that uses this Redis database."""

    PREFIX = "img:rate:"

    def __init__(
        self,
        client: aioredis.Redis,
        limit: int,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._accept = client.register_script(_ACCEPT)
        self._fallback = LocalLimiter(limit, window_s)
        self._failing = False

    async def check(self, key: str) -> Verdict:
        if self.limit <= 0:
            return Verdict.ALLOW
        try:
            accepted = await self._accept(
                keys=[self.PREFIX + key],
                args=[self._clock(), self.window_s, self.limit, uuid.uuid4().hex],
            )
            if accepted:
                verdict = Verdict.ALLOW
            else:
                first = await self.client.set(
                    f"{self.PREFIX}warned:{key}", 1, nx=True, px=int(self.window_s * 1000)
                )
                verdict = Verdict.REFUSE_AND_WARN if first else Verdict.REFUSE
        except (RedisError, OSError) as error:
            if not self._failing:
                name = type(error).__name__
                logger.error("rate limit store unreachable (%s): counting locally", name)
            self._failing = True
            return await self._fallback.check(key)
        self._failing = False
        return verdict


def limiter_from_env(limit: int) -> RateLimiter:
    """Redis when ``REDIS_HOST`` is set (``REDIS_PORT``, ``REDIS_DB``), else this process."""
    host = os.environ.get("REDIS_HOST")
    if not host or limit <= 0:
        return LocalLimiter(limit)
    client = aioredis.Redis(
        host=host,
        port=int(os.environ.get("REDIS_PORT") or 6379),
        db=int(os.environ.get("REDIS_DB") or 0),
        password=os.environ.get("REDIS_PASSWORD") or None,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
    return RedisLimiter(client, limit)
