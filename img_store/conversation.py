"""Who a conversation belongs to: the channel that verified the user, and the user's id
on that channel. The server sets it; no client ever names another channel's user.

Rasa keys a conversation by one string, its sender id. Ours is always
``<channel>:<user id>`` (``rest:user-42``, ``web:<random id>``, ``telegram:123``,
``telegram:-100987:123``, ``whatsapp:+15551234567``, ``whatsapp_cloud:15551234567``),
so a REST caller, whose ids are ``rest:...``, can never reach a Telegram or WhatsApp user's
conversation or profile. The profile store is keyed by the same two parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# The type name of the event "forget me" sends (img_store.events.ConversationForgotten):
# the action server returns ``{"event": FORGET_CONVERSATION}``, the tracker store deletes
# the conversation when it sees one. Here, without Rasa, so the action server need not
# import Rasa to name it.
FORGET_CONVERSATION = "img_forget_conversation"

# The tracker store's sender_id column (Rasa's SQLTrackerStore): no conversation id is longer.
SENDER_ID_MAX_CHARS = 255
# A channel prefix and a user id of at most this length always fit in that column.
USER_ID_MAX_CHARS = 128
# Printable ASCII without spaces or slashes: safe in the HTTP API's URL paths and in logs.
_USER_ID = re.compile(r"[A-Za-z0-9_.:@+=-]+")


class Channel(Enum):
    """The channels that can vouch for a user id. ``SHELL`` is `rasa shell` on this machine,
    whose ids carry no prefix."""

    REST = "rest"
    WEB = "web"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"  # through Twilio
    WHATSAPP_CLOUD = "whatsapp_cloud"  # through Meta's Cloud API
    SHELL = "cmdline"


# The channels that put a link to a private chat with the bot in a message's metadata; a
# link in any other conversation is not theirs and is never repeated.
CHANNELS_WITH_PRIVATE_LINK = frozenset({Channel.TELEGRAM, Channel.WHATSAPP_CLOUD})


class InvalidUserId(ValueError):
    """A user id that is empty, too long, or holds characters outside the allowed set."""


def check_user_id(user_id: object) -> str:
    """The user id if it is usable, else :class:`InvalidUserId` with a one-line reason."""
    if not isinstance(user_id, str) or not user_id:
        raise InvalidUserId("the user id must be a non-empty string")
    if len(user_id) > USER_ID_MAX_CHARS:
        raise InvalidUserId(f"the user id must be at most {USER_ID_MAX_CHARS} characters")
    if not _USER_ID.fullmatch(user_id):
        raise InvalidUserId("the user id may hold only letters, digits and _ . : @ + = -")
    return user_id


@dataclass(frozen=True)
class ConversationKey:
    channel: Channel
    user_id: str

    def __post_init__(self) -> None:
        check_user_id(self.user_id)

    @property
    def sender_id(self) -> str:
        """The id Rasa stores the conversation under."""
        if self.channel is Channel.SHELL:
            return self.user_id
        return f"{self.channel.value}:{self.user_id}"

    @classmethod
    def parse(cls, sender_id: str) -> ConversationKey:
        """The key a sender id was made from. Only the local shell makes ids without a
        channel prefix, so such an id belongs to the shell."""
        prefix, separator, rest = sender_id.partition(":")
        if separator:
            for channel in Channel:
                if channel is not Channel.SHELL and channel.value == prefix:
                    return cls(channel, rest)
        return cls(Channel.SHELL, sender_id)
