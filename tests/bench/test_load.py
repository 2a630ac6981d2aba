"""The load generator's summary (bench/load.py)."""

from __future__ import annotations

from bench.load import LoadResult


def test_throughput_counts_only_the_replies_while_every_user_is_still_at_it():
    # 100 replies in the 10 s duration, then 20 more in a 6 s tail of finishing users.
    result = LoadResult(users=5, seconds=16.0, latencies=[0.1] * 120)
    result.steady_messages, result.steady_seconds = 100, 10.0
    summary = result.summary()
    assert summary["messages_per_second"] == 10.0
    assert summary["messages"] == 120  # every reply's latency still counts


def test_slices_pool_their_steady_windows():
    pooled = LoadResult(users=5, seconds=0.0)
    for _ in range(2):
        part = LoadResult(users=5, seconds=8.0, latencies=[0.1] * 50)
        part.steady_messages, part.steady_seconds = 40, 5.0
        pooled.add(part)
    assert pooled.summary()["messages_per_second"] == 8.0
