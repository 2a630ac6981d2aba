"""The remembered-profile store as the actions see it: opened lazily, failures reported.

Database trouble never ends the conversation: a failed save or delete is reported to the
user and the conversation goes on from the tracker (see messages.SAVE_FAILED).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from rasa_sdk import Tracker
from sqlalchemy.exc import SQLAlchemyError

from img_store.profiles import ProfileStore, SchemaBehindError, open_profile_store

logger = logging.getLogger(__name__)

StoreError = (SQLAlchemyError, SchemaBehindError, OSError)


@lru_cache(maxsize=1)
def profile_store() -> ProfileStore:
    """The store on the TRACKER_* database (the action server checks it at start)."""
    return open_profile_store()


def channel_of(tracker: Tracker) -> str:
    """Profiles are keyed by channel and user id: "42" on Telegram is not "42" on WhatsApp."""
    return tracker.get_latest_input_channel() or "unknown"
