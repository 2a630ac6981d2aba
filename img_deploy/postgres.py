"""Scratch PostgreSQL databases for the cluster's benchmarks, soak and tests, on the local
server (127.0.0.1:5432, user postgres, trust auth)."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from img_store.conversation import Channel, ConversationKey

SERVER = "postgresql://postgres@127.0.0.1:5432"


def fresh_database(name: str) -> dict[str, str]:
    """Drop and create ``name``; the TRACKER_* variables that point at it."""
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return {
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_HOST": "127.0.0.1",
        "TRACKER_PORT": "5432",
        "TRACKER_DB": name,
        "TRACKER_USER": "postgres",
    }


def stored_rest_texts(database: str) -> dict[str, list[str]]:
    """Every REST sender's user messages in the tracker store, in stored order, keyed by
    the sender the client sent (not the stored ``rest:`` conversation id)."""
    engine = create_engine(f"{SERVER}/{database}")
    stored: dict[str, list[str]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT sender_id, data::json->>'text' FROM events "
                "WHERE type_name = 'user' ORDER BY id"
            )
        )
        for conversation, message in rows:
            key = ConversationKey.parse(conversation)
            if key.channel is Channel.REST:
                stored.setdefault(key.user_id, []).append(message)
    engine.dispose()
    return stored
