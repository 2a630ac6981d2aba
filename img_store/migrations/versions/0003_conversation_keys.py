"""Profiles and conversations kept under the ids channels used before ConversationKey.

Until issue #15, a profile was stored under (the channel a message claimed, the sender id)
and Telegram's sender ids were ``tg-<user>`` in private chats and ``tg-<chat>-<member>`` in
groups; Twilio's were ``whatsapp:<number>``. Now the key is (channel, user id) as
img_store.conversation makes it, so those rows were out of reach: the user was not
recognised, and "forget me" could not delete them. This moves them to the new keys:

- profiles ``(telegram, tg-42)`` -> ``(telegram, 42)``, ``(telegram, tg--100987-42)`` ->
  ``(telegram, -100987:42)``, ``(whatsapp, whatsapp:+1555...)`` -> ``(whatsapp, +1555...)``;
- Rasa's tracker rows ``tg-42`` -> ``telegram:42``, ``tg--100987-42`` -> ``telegram:-100987:42``
  (Twilio's ``whatsapp:+1555...`` is already the new id).

Telegram user ids are positive and a private chat's id has no dash, so both old forms map
one way. A profile already saved under the new key is newer than the old one (written
since the change), so it is kept and the old one dropped. REST rows were (rest, sender)
before and are still. Web chat rows cannot be mapped: their session ids were chosen by
the client, and the browser now gets a new server-signed one that says nothing about the
old; they stay until the retention purge removes them (make purge).

The mapping lives here, not in img_store.conversation, so this revision keeps doing what it
did when the code it was written for has changed.

Revision ID: 0003_conversation_keys
Revises: 0002_webhook_deliveries
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0003_conversation_keys"
down_revision = "0002_webhook_deliveries"
branch_labels = None
depends_on = None

_OLD_TELEGRAM = re.compile(r"tg-(?:(?P<chat>-?\d+)-)?(?P<user>\d+)")
_NEW_TELEGRAM = re.compile(r"(?:(?P<chat>-?\d+):)?(?P<user>\d+)")
_TWILIO_PREFIX = "whatsapp:"
_TRACKER_PREFIX = "telegram:"  # the sender ids of Telegram conversations now

profiles = sa.table(
    "img_profiles",
    sa.column("channel", sa.String),
    sa.column("user_id", sa.String),
)
events = sa.table("events", sa.column("sender_id", sa.String))

Rename = Callable[[str], "str | None"]


def telegram_user_from_old(old: str) -> str | None:
    match = _OLD_TELEGRAM.fullmatch(old)
    if match is None:
        return None
    chat, user = match["chat"], match["user"]
    return f"{chat}:{user}" if chat else user


def telegram_user_to_old(new: str) -> str | None:
    match = _NEW_TELEGRAM.fullmatch(new)
    if match is None:
        return None
    chat, user = match["chat"], match["user"]
    return f"tg-{chat}-{user}" if chat else f"tg-{user}"


def twilio_user_from_old(old: str) -> str | None:
    return old.removeprefix(_TWILIO_PREFIX) if old.startswith(_TWILIO_PREFIX) else None


def twilio_user_to_old(new: str) -> str | None:
    return None if new.startswith(_TWILIO_PREFIX) else f"{_TWILIO_PREFIX}{new}"


def _sender_from_old(old: str) -> str | None:
    user = telegram_user_from_old(old)
    return None if user is None else f"{_TRACKER_PREFIX}{user}"


def _sender_to_old(new: str) -> str | None:
    if not new.startswith(_TRACKER_PREFIX):
        return None
    return telegram_user_to_old(new.removeprefix(_TRACKER_PREFIX))


def _rekey_profiles(connection: sa.engine.Connection, channel: str, rename: Rename) -> None:
    owned = set(
        connection.execute(sa.select(profiles.c.user_id).where(profiles.c.channel == channel))
        .scalars()
        .all()
    )
    for old in sorted(owned):
        new = rename(old)
        if new is None:
            continue
        where = (profiles.c.channel == channel) & (profiles.c.user_id == old)
        if new in owned:  # saved under the new key since: newer, kept
            connection.execute(sa.delete(profiles).where(where))
        else:
            connection.execute(sa.update(profiles).where(where).values(user_id=new))
            owned.add(new)


def _rekey_conversations(connection: sa.engine.Connection, rename: Rename) -> None:
    """Rasa's tracker table, when this database has one (it is Rasa's, made on first use)."""
    if not sa.inspect(connection).has_table("events"):
        return
    senders = connection.execute(sa.select(events.c.sender_id).distinct()).scalars().all()
    for old in senders:
        new = rename(old)
        if new is not None:
            # Merged with any turns under the new id: Rasa orders a conversation's rows by
            # timestamp, and the old ones are the earlier.
            connection.execute(
                sa.update(events).where(events.c.sender_id == old).values(sender_id=new)
            )


def upgrade() -> None:
    connection = op.get_bind()
    _rekey_profiles(connection, "telegram", telegram_user_from_old)
    _rekey_profiles(connection, "whatsapp", twilio_user_from_old)
    _rekey_conversations(connection, _sender_from_old)


def downgrade() -> None:
    connection = op.get_bind()
    _rekey_profiles(connection, "telegram", telegram_user_to_old)
    _rekey_profiles(connection, "whatsapp", twilio_user_to_old)
    _rekey_conversations(connection, _sender_to_old)
