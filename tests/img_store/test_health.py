from __future__ import annotations

from img_channels.guard import TurnGuard
from img_store.health import SaveHealth
from img_store.tracker_store import EnvironmentSQLTrackerStore


def test_a_failure_is_told_once_and_stays_per_conversation():
    health = SaveHealth()
    assert not health.take_failure("a")
    health.save_failed("a")
    assert not health.take_failure("b")
    assert health.take_failure("a") and not health.take_failure("a")


async def test_the_store_and_the_guard_share_the_process_signal(settings):
    async def handler(_) -> None:
        return None

    assert SaveHealth.of_process() is SaveHealth.of_process()
    assert TurnGuard(handler).health is SaveHealth.of_process()
    assert EnvironmentSQLTrackerStore().health is SaveHealth.of_process()
