"""Rasa's tracker store as configured by the project, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from sqlalchemy import text
from sqlalchemy.engine import Engine

from img_store import migrations
from img_store.conversation import FORGET_CONVERSATION
from img_store.events import ConversationForgotten
from img_store.health import SaveHealth
from img_store.profiles import ProfileStore, make_engine
from img_store.tracker_store import (
    TRIM_AT_EVENTS,
    WINDOW_EVENTS,
    EnvironmentSQLTrackerStore,
    TrackerCache,
    windowed,
)
from img_strategy import Profile, Visa
from tests.e2e.conftest import MODEL, ROOT

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


def two_instances() -> tuple[EnvironmentSQLTrackerStore, EnvironmentSQLTrackerStore]:
    """Two stores on the same table, as two Rasa instances have."""
    return EnvironmentSQLTrackerStore(domain=DOMAIN), EnvironmentSQLTrackerStore(domain=DOMAIN)


def event_dicts(tracker: DialogueStateTracker) -> list[dict]:
    return [event.as_dict() for event in tracker.events]


def rows(engine, sql: str, **params) -> int:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def test_the_cache_is_bounded_and_forgets_an_evicted_outage():
    cache = TrackerCache(kept=2)
    trackers = [DialogueStateTracker.from_events(f"u{i}", [], slots=DOMAIN.slots) for i in range(3)]
    assert cache.save_failed("u0") and not cache.save_failed("u0")
    for row_id, tracker in enumerate(trackers):
        cache.remember(tracker, row_id)
    assert cache.take_saved("u0") is None and not cache.is_unsaved("u0")  # evicted
    recent = cache.take_saved("u2")
    assert recent is not None and recent.last_row_id == 2 and cache.take_saved("u2") is None
    assert cache.hand_out(recent) is trackers[2]
    assert cache.take_handed_out("u2") is recent and cache.take_handed_out("u2") is None


async def test_forgetting_follows_the_event_not_an_action_name(settings):
    store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    engine = store.engine
    await store.save(conversation("named", ActionExecuted("action_forget_me")))
    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'named'") > 0
    # As the action server sends it: a plain dict, read back into the project's event type.
    (event,) = deserialise_events([{"event": FORGET_CONVERSATION, "timestamp": None}])
    assert isinstance(event, ConversationForgotten)
    await store.save(conversation("named", event))
    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'named'") == 0


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
            ConversationForgotten(),  # what the action returns
            BotUttered("Done: I've deleted everything I had about you."),
            ActionExecuted("action_listen"),
        )
    )

    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'leaver'") == 0
    assert rows(engine, "SELECT COUNT(*) FROM img_profiles WHERE user_id = 'leaver'") == 0
    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'stayer'") > 0
    assert profiles.load("rest", "stayer") is not None
    assert await tracker_store.retrieve("leaver") is None


async def test_database_outage_mid_run_keeps_the_conversation_and_catches_up(monkeypatch):
    """Real PostgreSQL behind a proxy that is cut, then restored."""
    from tests.support.tcp_proxy import TcpProxy

    proxy = TcpProxy("127.0.0.1", 5432).start()
    for key, value in {
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_DB": "test",
        "TRACKER_HOST": "127.0.0.1",
        "TRACKER_PORT": str(proxy.port),
        "TRACKER_USER": "postgres",
    }.items():
        monkeypatch.setenv(key, value)
    health = SaveHealth()
    store = EnvironmentSQLTrackerStore(domain=DOMAIN, health=health)
    sender = "outage-user"
    with store.session_scope() as session:
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).delete()
        session.commit()
    await store.save(conversation(sender))
    assert not health.take_failure(sender)

    proxy.cut()
    later = conversation(sender, UserUttered("220"), SlotSet("step2_score", 220))
    await store.save(later)  # no exception: the conversation goes on
    assert health.take_failure(sender) and not health.take_failure(sender)
    during = await store.retrieve(sender)
    assert during is not None and during.get_slot("step2_score") == 220
    await store.save(conversation(sender, UserUttered("220"), SlotSet("step2_score", 220)))
    assert not health.take_failure(sender)  # told once per outage, not every turn

    proxy.restore()
    await store.save(await store.retrieve(sender))
    reopened = EnvironmentSQLTrackerStore(domain=DOMAIN)
    after = await reopened.retrieve(sender)
    assert after is not None and after.get_slot("step2_score") == 220
    assert len(after.events) == len(later.events)
    proxy.cut()


async def test_a_turn_taken_by_another_instance_is_never_hidden_by_the_cache(settings):
    ours, theirs = two_instances()
    sender = "two-instances"
    await ours.save(conversation(sender))
    unchanged = await ours.retrieve(sender)
    assert unchanged is not None and unchanged.get_slot("step2_score") == 241
    await ours.save(unchanged)
    # Another instance takes the next turn and changes the score.
    other = await theirs.retrieve(sender)
    assert other is not None
    other.update(UserUttered("actually 236"))
    other.update(SlotSet("step2_score", 236))
    await theirs.save(other)
    latest = await ours.retrieve(sender)
    assert latest is not None and latest.get_slot("step2_score") == 236


async def test_the_cache_hands_a_tracker_out_once(settings):
    store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    saved = conversation("handed-out-once")
    await store.save(saved)
    assert await store.retrieve("handed-out-once") is saved  # no rebuild from rows
    again = await store.retrieve("handed-out-once")  # a turn that never saved: from rows
    assert again is not saved and again is not None
    assert event_dicts(again) == event_dicts(saved)


def test_the_table_is_indexed_for_the_newest_row_of_a_sender(settings):
    store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    EnvironmentSQLTrackerStore(domain=DOMAIN)  # a second instance starting finds it there
    indexes = sa.inspect(store.engine).get_indexes("events")
    assert {"name": "ix_events_sender_id_id", "column_names": ["sender_id", "id"]} in [
        {"name": index["name"], "column_names": index["column_names"]} for index in indexes
    ]


# SQLite inserts row by row, so there a turn's save stays one transaction.
@pytest.mark.parametrize("settings", ["postgresql"], indirect=True)
async def test_a_cached_turn_on_postgresql_is_two_statements_in_autocommit(settings):
    """The newest-row check and the insert, with no BEGIN, COMMIT or ROLLBACK around them:
    each would be another round trip on Rasa's event loop."""
    store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    sender = "two-statements"
    await store.save(conversation(sender))
    statements: list[tuple[str, bool]] = []

    def record(connection, cursor, statement, *_) -> None:
        statements.append((statement.split()[0], cursor.connection.autocommit))

    sa.event.listen(Engine, "before_cursor_execute", record)
    try:
        tracker = await store.retrieve(sender)
        assert tracker is not None
        tracker.update(UserUttered("ck 236", {"name": "inform", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    finally:
        sa.event.remove(Engine, "before_cursor_execute", record)
    assert statements == [("SELECT", True), ("INSERT", True)]
    from_rows = await EnvironmentSQLTrackerStore(domain=DOMAIN).retrieve(sender)
    assert from_rows is not None and event_dicts(from_rows) == event_dicts(tracker)


async def test_turns_through_the_cache_store_every_event_once_in_order(settings):
    ours, theirs = two_instances()
    sender = "cached-turns"
    await ours.save(conversation(sender))
    for turn, (store, score) in enumerate(
        [(ours, 236), (ours, 238), (theirs, 240), (ours, 242), (ours, 244)]
    ):
        tracker = await store.retrieve(sender)
        assert tracker is not None
        tracker.update(UserUttered(f"ck {score}", {"name": "inform", "confidence": 1.0}))
        tracker.update(SlotSet("step2_score", score))
        tracker.update(BotUttered(f"turn {turn}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    expected = event_dicts(tracker)
    from_rows = await EnvironmentSQLTrackerStore(domain=DOMAIN).retrieve(sender)
    assert from_rows is not None
    assert event_dicts(from_rows) == expected
    assert rows(ours.engine, "SELECT COUNT(*) FROM events WHERE sender_id = :s", s=sender) == len(
        expected
    )


async def test_forget_me_leaves_no_readable_trace_in_the_sqlite_files(tmp_path, monkeypatch):
    database = tmp_path / "trace.db"
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(database))
    engine = make_engine()
    migrations.upgrade(engine)
    profiles = ProfileStore(engine)
    tracker_store = EnvironmentSQLTrackerStore(domain=DOMAIN)
    canary = UserUttered("zebracanary ck 241", {"name": "inform", "confidence": 1.0})
    await tracker_store.save(conversation("stayer"))
    await tracker_store.save(conversation("leaver", canary))
    profiles.save("rest", "leaver", Profile(step2_score=241))

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())

    assert b"zebracanary" in files()
    profiles.forget("rest", "leaver")
    forget = (ActionExecuted("action_forget_me"), ConversationForgotten())
    await tracker_store.save(conversation("leaver", canary, *forget))
    assert b"zebracanary" not in files()
    assert b"leaver" not in files()
    assert rows(engine, "SELECT COUNT(*) FROM events WHERE sender_id = 'stayer'") > 0


def a_turn(number: int) -> list:
    return [
        UserUttered(f"turn {number}", {"name": "inform", "confidence": 1.0}),
        ActionExecuted("action_extract_profile"),
        SlotSet("step2_score", 200 + number),
        BotUttered(f"answer {number}"),
        ActionExecuted("action_listen"),
    ]


async def test_a_long_conversation_is_handed_to_rasa_as_a_window_and_stored_whole(settings):
    """Each turn: retrieve (as Rasa does), add the turn's events, save. The tracker Rasa
    gets stays small; the table gets every event once, in order; the slots and the
    active form carry across the cut."""
    store, other = two_instances()
    store.domain = other.domain = DOMAIN
    tracker = conversation("long-user", ActiveLoop("advice_form"), SlotSet("visa", "j1"))
    await store.save(tracker)
    expected = [event.as_dict() for event in tracker.events]
    sizes = []
    for number in range(60):
        # Every fifth turn another instance takes it (a table read instead of the cache).
        current = await (other if number % 5 == 4 else store).retrieve("long-user")
        sizes.append(len(current.events))
        assert current.get_slot("visa") == "j1" and current.active_loop_name == "advice_form"
        assert current.get_slot("step2_score") == (241 if number == 0 else 199 + number)
        for event in a_turn(number):
            current.update(event)
            expected.append(event.as_dict())
        await (other if number % 5 == 4 else store).save(current)
    assert max(sizes) <= TRIM_AT_EVENTS + len(a_turn(0))
    engine = make_engine(settings)
    with engine.connect() as connection:
        stored = [
            json.loads(row[0])
            for row in connection.execute(
                text("SELECT data FROM events WHERE sender_id = 'long-user' ORDER BY id")
            )
        ]
    strip = lambda events: [{k: v for k, v in e.items() if k != "timestamp"} for e in events]  # noqa: E731
    assert strip(stored) == strip(expected)


# What action_extract_profile sets from a message's entities, simplified (the test stories
# leave it to the action server): enough to carry profile slots across the window's cut.
SLOT_OF_ENTITY = {
    "specialty": "specialty",
    "visa": "visa",
    "score": "step2_score",
    "grad_year": "graduation_year",
}


def with_profile_slots(events: list[Event]) -> list[Event]:
    enriched: list[Event] = []
    for event in events:
        enriched.append(event)
        if isinstance(event, UserUttered):
            for entity in event.entities:
                if entity["entity"] in SLOT_OF_ENTITY:
                    enriched.append(SlotSet(SLOT_OF_ENTITY[entity["entity"]], entity["value"]))
    return enriched


@pytest.mark.e2e  # needs the trained model (make train)
def test_the_window_leaves_every_prediction_of_a_long_conversation_unchanged():
    """The test stories, played one after another as one user's long conversation. Each
    turn starts from the tracker as retrieve hands it out (the last one, windowed once it
    is long); at every point where Rasa predicts the next action, the trained policies
    predict from it what they predict from the whole conversation, and the slots, form and
    message the actions read are the same."""
    agent = Agent.load(str(MODEL))
    domain = agent.domain
    stories = YAMLStoryReader(domain).read_from_file(ROOT / "tests" / "test_stories.yml")
    played = TrainingDataGenerator(StoryGraph(stories), domain, augmentation_factor=0).generate()
    events = with_profile_slots([event for tracker in played for event in tracker.events])

    def seen_by_actions(tracker: DialogueStateTracker) -> tuple:
        latest = tracker.latest_message
        return (
            tracker.current_slot_values(),
            tracker.active_loop_name,
            latest.parse_data if latest else None,
        )

    def prediction(tracker: DialogueStateTracker) -> tuple:
        predicted = agent.processor.predict_next_with_tracker(tracker)
        return predicted["scores"], predicted["policy"]

    current = DialogueStateTracker.from_events("long", [], domain.slots)
    compared, longest = 0, 0
    for index, event in enumerate(events):
        previous = events[index - 1] if index else None
        if isinstance(event, UserUttered) and isinstance(previous, ActionExecuted):
            cut = windowed(current, domain)  # a new turn: retrieve hands out the window
            current = cut[0] if cut is not None else current
        if isinstance(event, ActionExecuted) and len(current.events) < index:
            whole = DialogueStateTracker.from_events("long", events[:index], domain.slots)
            assert seen_by_actions(current) == seen_by_actions(whole), index
            assert prediction(current) == prediction(whole), index
            compared += 1
        current.update(event)
        longest = max(longest, len(current.events))
    assert len(events) > 3 * TRIM_AT_EVENTS and len(played) == len(stories)
    assert compared > 100 and longest < TRIM_AT_EVENTS + WINDOW_EVENTS
    assert sum(isinstance(event, SlotSet) for event in events) > 30
