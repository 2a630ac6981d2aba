"""The rate limit in one process and shared through the real Redis (127.0.0.1:6379, db 5)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from img_channels.ratelimit import LocalLimiter, RedisLimiter, Verdict
from img_deploy.processes import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def verdicts(limiter, key: str, count: int) -> list[Verdict]:
    return [await limiter.check(key) for _ in range(count)]


ALLOW, WARN, REFUSE = Verdict.ALLOW, Verdict.REFUSE_AND_WARN, Verdict.REFUSE


async def test_local_limit_per_window_then_one_warning_then_silence():
    clock = Clock()
    limiter = LocalLimiter(3, window_s=60, clock=clock)
    assert await verdicts(limiter, "a", 5) == [ALLOW, ALLOW, ALLOW, WARN, REFUSE]
    assert await limiter.check("b") is ALLOW  # per key
    clock.now = 59.9
    assert await limiter.check("a") is REFUSE
    clock.now = 60.0
    assert await limiter.check("a") is ALLOW


async def test_zero_turns_the_limit_off():
    assert set(await verdicts(LocalLimiter(0), "a", 1000)) == {ALLOW}


async def test_local_memory_is_bounded_by_the_least_recent_keys():
    limiter = LocalLimiter(2, max_tracked=100)
    for index in range(10_000):
        await limiter.check(f"user-{index}")
    assert len(limiter) == 100


def redis_limiter(limit: int, port: int = 6379, window_s: float = 60) -> RedisLimiter:
    client = aioredis.Redis(port=port, db=5, socket_connect_timeout=1, socket_timeout=1)
    return RedisLimiter(client, limit, window_s=window_s)


@pytest.fixture()
def key() -> str:
    return f"rest:rl-{uuid.uuid4().hex}"


async def test_two_instances_share_one_count_through_redis(key):
    first, second = redis_limiter(4), redis_limiter(4)
    results = [await (first if i % 2 else second).check(key) for i in range(6)]
    assert results == [ALLOW] * 4 + [WARN, REFUSE]
    assert await first.check(f"{key}-other") is ALLOW


async def test_concurrent_checks_never_let_more_than_the_limit_through(key):
    limiters = [redis_limiter(10) for _ in range(3)]
    results = await asyncio.gather(*(limiters[i % 3].check(key) for i in range(40)))
    assert results.count(ALLOW) == 10 and results.count(WARN) == 1


async def test_redis_keys_expire_with_their_window(key):
    limiter = redis_limiter(1, window_s=0.5)
    assert await verdicts(limiter, key, 2) == [ALLOW, WARN]
    ttl_ms = await limiter.client.pttl(RedisLimiter.PREFIX + key)
    assert 0 < ttl_ms <= 500
    await asyncio.sleep(0.6)
    assert await limiter.client.exists(RedisLimiter.PREFIX + key) == 0
    assert await limiter.check(key) is ALLOW


async def test_unreachable_redis_falls_back_to_counting_locally(key):
    limiter = redis_limiter(2, port=free_port())  # nothing listens there
    assert await verdicts(limiter, key, 3) == [ALLOW, ALLOW, WARN]
