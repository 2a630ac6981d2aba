"""Migrations that change rows, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from img_store import migrations
from img_store.conversation import Channel, ConversationKey
from img_store.profiles import ProfileStore, make_engine
from img_store.tracker_store import EnvironmentSQLTrackerStore
from img_strategy import Profile, Visa

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
BEFORE_CONVERSATION_KEYS = "0002_webhook_deliveries"


def profile(score: int) -> Profile:
    return Profile(specialty="im", step2_score=score, visa=Visa.J1)


def old_conversation(sender_id: str, score: int) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("ck 241, j1", {"name": "inform", "confidence": 1.0}),
        SlotSet("step2_score", score),
        ActionExecuted("action_listen"),
    ]
    return DialogueStateTracker.from_events(sender_id, events, slots=DOMAIN.slots)


def keys(engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT channel, user_id FROM img_profiles")))


async def test_rows_under_the_ids_used_before_conversation_keys_move_to_the_new_keys(settings):
    engine = make_engine(settings)
    command.upgrade(migrations.alembic_config(engine), BEFORE_CONVERSATION_KEYS)
    store = ProfileStore(engine)
    old = {
        ("telegram", "tg-42"): 231,  # a private chat
        ("telegram", "tg--100987-42"): 232,  # a member of a group
        ("whatsapp", "whatsapp:+15551234567"): 233,  # Twilio
        ("telegram", "tg-7"): 234,  # saved again under the new key since: that one stays
        ("telegram", "7"): 235,
        ("rest", "tg-5"): 236,  # a REST user who chose that name: still a REST user
        ("socketio", "a-browser-s-own-id"): 237,  # web chat: cannot be mapped
    }
    for (channel, user_id), score in old.items():
        store.save(channel, user_id, profile(score), now=NOW)
    trackers = EnvironmentSQLTrackerStore(domain=DOMAIN)
    await trackers.save(old_conversation("tg-42", 231))
    await trackers.save(old_conversation("tg--100987-42", 232))
    await trackers.save(old_conversation("rest:tg-5", 236))

    migrations.upgrade(engine)

    def score(channel: Channel, user_id: str) -> int:
        remembered = store.load(channel.value, user_id)
        assert remembered is not None, (channel, user_id)
        return remembered.profile.step2_score

    assert score(Channel.TELEGRAM, "42") == 231
    assert score(Channel.TELEGRAM, "-100987:42") == 232
    assert score(Channel.WHATSAPP, "+15551234567") == 233
    assert score(Channel.TELEGRAM, "7") == 235
    assert keys(engine) == {
        ("telegram", "42"),
        ("telegram", "-100987:42"),
        ("whatsapp", "+15551234567"),
        ("telegram", "7"),
        ("rest", "tg-5"),
        ("socketio", "a-browser-s-own-id"),
    }
    # The conversations are found under the ids the channels make now, and nowhere else.
    fresh = EnvironmentSQLTrackerStore(domain=DOMAIN)
    for user_id, expected in (("42", 231), ("-100987:42", 232)):
        tracker = await fresh.retrieve(ConversationKey(Channel.TELEGRAM, user_id).sender_id)
        assert tracker is not None and tracker.get_slot("step2_score") == expected
    assert await fresh.retrieve("tg-42") is None
    assert (await fresh.retrieve("rest:tg-5")).get_slot("step2_score") == 236

    # Downgraded, every row has the id the older code looks for (the kept one for tg-7).
    command.downgrade(migrations.alembic_config(engine), BEFORE_CONVERSATION_KEYS)
    assert keys(engine) == set(old) - {("telegram", "7")}
    assert store.load("telegram", "tg-7").profile.step2_score == 235
    assert (await EnvironmentSQLTrackerStore(domain=DOMAIN).retrieve("tg-42")) is not None
