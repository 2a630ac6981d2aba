"""The webhook delivery ledger on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from img_store import migrations
from img_store.deliveries import DeliveryLedger, open_delivery_ledger
from img_store.profiles import SchemaBehindError, make_engine

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def ledger(settings):
    migrations.upgrade(make_engine(settings))
    return open_delivery_ledger(settings)


def test_a_message_id_is_claimed_once_per_channel(ledger):
    assert ledger.claim("whatsapp_cloud", "wamid.A") is True
    assert ledger.claim("whatsapp_cloud", "wamid.A") is False
    assert ledger.claim("whatsapp_cloud", "wamid.B") is True
    assert ledger.claim("other_channel", "wamid.A") is True


def test_two_instances_racing_for_one_message_answer_it_once(ledger, settings):
    # Two engines stand for two server processes on the same database.
    ledgers = [ledger, DeliveryLedger(make_engine(settings))]
    results: list[bool] = []
    start = threading.Barrier(8)

    def claim(index: int) -> None:
        start.wait()
        results.append(ledgers[index % 2].claim("whatsapp_cloud", "wamid.RACE"))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_purge_forgets_only_claims_older_than_any_retry(ledger):
    ledger.claim("whatsapp_cloud", "wamid.old", now=NOW - timedelta(days=9))
    ledger.claim("whatsapp_cloud", "wamid.new", now=NOW - timedelta(days=6))
    assert ledger.purge(now=NOW) == 1
    assert ledger.claim("whatsapp_cloud", "wamid.old") is True
    assert ledger.claim("whatsapp_cloud", "wamid.new") is False


@pytest.mark.parametrize("message_id", ["", "x" * 161])
def test_empty_or_oversized_ids_are_refused(ledger, message_id):
    with pytest.raises(ValueError):
        ledger.claim("whatsapp_cloud", message_id)


def test_a_database_without_the_table_is_refused_with_the_command_to_run(settings):
    with pytest.raises(SchemaBehindError, match="make migrate"):
        open_delivery_ledger(settings)
