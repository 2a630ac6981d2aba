"""The profile store and migrations on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from img_store import migrations
from img_store.profiles import ProfileStore, SchemaBehindError, make_engine, open_profile_store
from img_strategy import ExamStatus, Profile, Visa

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
PROFILE = Profile(
    specialty="pediatrics",
    step1=ExamStatus.FAILED_THEN_PASSED,
    step2_score=220,
    visa=Visa.J1,
    graduation_year=2022,
)


def fake_tracker_events(engine, sender_ids):
    """Rows shaped like Rasa's SQLTrackerStore `events` table."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
                " type_name VARCHAR(255), data TEXT)"
            )
        )
        for i, sender in enumerate(sender_ids):
            connection.execute(
                text(
                    "INSERT INTO events (id, sender_id, type_name, data) "
                    "VALUES (:i, :s, 'user', '{}')"
                ),
                {"i": i, "s": sender},
            )


def count(engine, sql, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def test_refuses_a_database_whose_schema_is_behind(settings):
    with pytest.raises(SchemaBehindError, match="make migrate"):
        open_profile_store(settings)
    migrations.upgrade(make_engine(settings))
    assert isinstance(open_profile_store(settings), ProfileStore)


def test_save_load_update_round_trip(settings):
    migrations.upgrade(make_engine(settings))
    store = open_profile_store(settings)
    assert store.load("telegram", "42") is None
    store.save("telegram", "42", PROFILE, now=NOW)
    remembered = store.load("telegram", "42", now=NOW)
    assert remembered is not None and remembered.profile == PROFILE
    store.save("telegram", "42", PROFILE.with_changes(step2_score=236), now=NOW)
    assert store.load("telegram", "42").profile.step2_score == 236
    # Same user id on another channel is another person.
    assert store.load("whatsapp", "42") is None


def test_forget_removes_the_profile_and_leaves_the_conversation_to_the_tracker_store(settings):
    # The conversation's rows go with the "forget me" event (test_tracker_store.py).
    engine = make_engine(settings)
    migrations.upgrade(engine)
    store = open_profile_store(settings)
    store.save("rest", "alice", PROFILE, now=NOW)
    store.save("rest", "bob", PROFILE, now=NOW)
    fake_tracker_events(engine, ["alice", "alice", "bob"])
    assert store.forget("rest", "alice") == 1
    assert count(engine, "SELECT COUNT(*) FROM img_profiles WHERE user_id = 'alice'") == 0
    assert count(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'alice'") == 2
    assert count(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'bob'") == 1
    assert store.load("rest", "bob") is not None


def test_purge_deletes_only_profiles_unused_for_the_retention_period(settings):
    migrations.upgrade(make_engine(settings))
    store = open_profile_store(settings)
    store.save("rest", "old", PROFILE, now=NOW)
    store.save("rest", "recent", PROFILE, now=NOW)
    store.touch("rest", "old", NOW - timedelta(days=181))
    store.touch("rest", "recent", NOW - timedelta(days=179))
    assert store.purge_unused(180, now=NOW) == 1
    assert store.load("rest", "old") is None and store.load("rest", "recent") is not None
    assert store.count() == 1
