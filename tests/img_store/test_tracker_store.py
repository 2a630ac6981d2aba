"""Rasa's tracker store as configured by the project, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from img_store import migrations
from img_store.profiles import ProfileStore, make_engine
from img_store.tracker_store import EnvironmentSQLTrackerStore
from img_strategy import Profile, Visa

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))


def conversation(sender: str, *extra) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("ck 241, j1", {"name": "inform", "confidence": 1.0}),
        SlotSet("step2_score", 241),
        BotUttered("Noted: Step 2 CK: 241."),
        ActionExecuted("action_listen"),
        *extra,
    ]
    return DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)


def rows(engine, sql: str, **params) -> int:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


async def test_conversation_survives_a_new_store_instance(settings):
    store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    await store.save(conversation("restart-user"))
    reopened = EnvironmentSQLTrackerStore(domain=DOMAIN)  # as after a server restart
    tracker = await reopened.retrieve("restart-user")
    assert tracker is not None and tracker.get_slot("step2_score") == 241


async def test_forget_me_leaves_no_row_for_the_user_in_either_store(settings):
    engine = make_engine(settings)
    migrations.upgrade(engine)
    profiles = ProfileStore(engine)
    tracker_store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    for user in ("leaver", "stayer"):
        profiles.save("rest", user, Profile(step2_score=241, visa=Visa.J1))
        await tracker_store.save(conversation(user))
    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'leaver'") > 0

    # What the action server does for "forget me" ...
    profiles.forget("rest", "leaver")
    # ... and what Rasa saves after that turn.
    await tracker_store.save(
        conversation(
            "leaver",
            UserUttered("forget me", {"name": "forget_me", "confidence": 1.0}),
            ActionExecuted("action_forget_me"),
            BotUttered("Done: I've deleted everything I had about you."),
            ActionExecuted("action_listen"),
        )
    )

    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'leaver'") == 0
    assert rows(engine, "SELECT COUNT(*) FROM img_profiles WHERE user_id = 'leaver'") == 0
    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'stayer'") > 0
    assert profiles.load("rest", "stayer") is not None
    assert await tracker_store.retrieve("leaver") is None
