"""The actions' view of the profile store: its health, checked at most every few seconds."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from actions.store import HealthCheck


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Database:
    def __init__(self) -> None:
        self.up, self.pings = True, 0

    def ping(self) -> None:
        self.pings += 1
        if not self.up:
            raise OperationalError("SELECT 1", {}, Exception("password=secret refused"))


def test_the_database_is_checked_at_most_once_per_interval():
    database, clock = Database(), Clock()
    health = HealthCheck(database.ping, interval_s=2.0, clock=clock)
    assert [health.error() for _ in range(50)] == [None] * 50
    assert database.pings == 1
    clock.now += 2.0
    assert health.error() is None
    assert database.pings == 2


def test_an_outage_is_seen_at_the_next_check_and_so_is_the_recovery():
    database, clock = Database(), Clock()
    health = HealthCheck(database.ping, interval_s=2.0, clock=clock)
    assert health.error() is None
    database.up = False
    clock.now += 1.0
    assert health.error() is None  # the last check still stands
    clock.now += 1.0
    assert health.error() == "OperationalError"  # its kind, never the driver's message
    assert health.error() == "OperationalError" and database.pings == 2
    database.up = True
    clock.now += 2.0
    assert health.error() is None
