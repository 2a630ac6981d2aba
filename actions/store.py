"""The remembered-profile store as the actions see it: opened lazily, failures reported.

Database trouble never ends the conversation: a failed save or delete is reported to the
user and the conversation goes on from the tracker (see messages.SAVE_FAILED).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from rasa_sdk import Tracker
from sqlalchemy.exc import SQLAlchemyError

from img_store.conversation import ConversationKey, InvalidUserId
from img_store.profiles import ProfileStore, SchemaBehindError, open_profile_store

logger = logging.getLogger(__name__)

StoreError = (SQLAlchemyError, SchemaBehindError, OSError)


@lru_cache(maxsize=1)
def profile_store() -> ProfileStore:
    """The store on the TRACKER_* database (the action server checks it at start)."""
    return open_profile_store()


def owner(tracker: Tracker) -> tuple[str, str]:
    """(channel, user id) a profile is stored under: "42" on Telegram is not "42" on
    WhatsApp. Read from the conversation id the channel set (img_store.conversation), never
    from the input channel a message claims."""
    try:
        key = ConversationKey.parse(tracker.sender_id)
    except InvalidUserId:  # an id made through the token-protected HTTP API
        return "unknown", tracker.sender_id
    return key.channel.value, key.user_id
