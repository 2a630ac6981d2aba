"""One wrapper around Rasa's message handler, shared by every channel.

Rasa 3.6 stays silent when the action server is down (the processor logs the exception
and drops the action's events), waits up to five minutes for a slow one, and offers no
per-user rate limit. The guard turns each of these into a short reply. It also refuses
messages over ``MESSAGE_MAX_CHARS`` before NLU (whose cost grows with the square of the
length) and keeps only known metadata keys.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, Sanic

from img_channels import notices
from img_channels.ratelimit import RateLimiter, Verdict, limiter_from_env
from img_store.health import SaveHealth

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]

DEFAULT_MESSAGE_MAX_CHARS = 2000
# Room for the longest allowed message in any encoding a channel uses, not for 10 MB of
# metadata; larger bodies get Sanic's 413 before any handler reads them.
DEFAULT_REQUEST_MAX_BYTES = 1_000_000
AUDIENCES = ("private", "group")
METADATA_VALUE_MAX_CHARS = 200


@dataclass(frozen=True)
class GuardSettings:
    """``RATE_LIMIT_PER_MINUTE`` (0 turns the limit off), ``REPLY_TIMEOUT_S`` and
    ``MESSAGE_MAX_CHARS`` (longer messages are refused before NLU)."""

    messages_per_minute: int = 20
    reply_timeout_s: float = 30.0
    message_max_chars: int = DEFAULT_MESSAGE_MAX_CHARS

    @classmethod
    def from_env(cls) -> GuardSettings:
        return cls(
            messages_per_minute=int(os.environ.get("RATE_LIMIT_PER_MINUTE", "20")),
            reply_timeout_s=float(os.environ.get("REPLY_TIMEOUT_S", "30")),
            message_max_chars=int(
                os.environ.get("MESSAGE_MAX_CHARS", str(DEFAULT_MESSAGE_MAX_CHARS))
            ),
        )


def apply_request_limit(blueprint: Blueprint) -> None:
    """Sets the server's request body limit (``REQUEST_MAX_BYTES``, Sanic's
    ``REQUEST_MAX_SIZE``, default 100 MB) before it starts; every channel calls this, so
    it holds whichever channels are configured."""

    @blueprint.listener("before_server_start")
    async def limit_body_size(app: Sanic, _: Any) -> None:
        limit = int(os.environ.get("REQUEST_MAX_BYTES", str(DEFAULT_REQUEST_MAX_BYTES)))
        app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, limit)


def allowed_metadata(metadata: object) -> dict[str, str]:
    """The message metadata the actions may see: known keys with small, checked values.
    Channels set it themselves; REST passes on only a client's ``audience``."""
    if not isinstance(metadata, dict):
        return {}
    kept = {}
    if metadata.get("audience") in AUDIENCES:
        kept["audience"] = metadata["audience"]
    url = metadata.get("private_chat_url")
    if isinstance(url, str) and len(url) <= METADATA_VALUE_MAX_CHARS:
        kept["private_chat_url"] = url
    return kept


class CountingOutput(OutputChannel):
    """Passes every bot message to the real output channel and counts them."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]  # the wrapped channel's name
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def _collect_outcome(turn: asyncio.Future) -> None:
    """Takes a finished turn's exception, so that asyncio never logs one (with whatever
    text it holds) as "never retrieved"; the guard reports failures itself."""
    if not turn.cancelled():
        turn.exception()


class TurnGuard:
    """Calls Rasa's handler for one user message, and always leaves the user a reply."""

    def __init__(
        self,
        handler: MessageHandler,
        settings: GuardSettings | None = None,
        limiter: RateLimiter | None = None,
        health: SaveHealth | None = None,
    ) -> None:
        self.handler = handler
        self.health = health or SaveHealth.of_process()  # the tracker store reports to it
        self.settings = settings or GuardSettings.from_env()
        self.limiter = limiter or limiter_from_env(self.settings.messages_per_minute)

    async def __call__(self, message: UserMessage) -> None:
        sender = message.sender_id  # the conversation key the channel verified
        channel = message.output_channel
        verdict = await self.limiter.check(sender)
        if verdict is not Verdict.ALLOW:
            logger.info("rate limit reached for a %s sender", channel.name())
            if verdict is Verdict.REFUSE_AND_WARN:
                await channel.send_text_message(sender, notices.RATE_LIMITED)
            return
        if len(message.text or "") > self.settings.message_max_chars:
            # Refused before NLU, whose cost grows with the square of the length; the text
            # is neither parsed, stored nor repeated.
            logger.info("a %s message over the length limit was refused", channel.name())
            await channel.send_text_message(
                sender, notices.too_long(self.settings.message_max_chars)
            )
            return
        message.metadata = allowed_metadata(message.metadata)
        counting = CountingOutput(channel)
        message.output_channel = counting
        turn = asyncio.ensure_future(self.handler(message))
        turn.add_done_callback(_collect_outcome)
        try:
            # Shielded: a client that leaves mid-turn does not cut the turn short, so the
            # message and its answer are still stored.
            await asyncio.wait_for(asyncio.shield(turn), self.settings.reply_timeout_s)
        except asyncio.TimeoutError:
            turn.cancel()
            logger.warning(
                "no reply within %ss; the turn was abandoned", self.settings.reply_timeout_s
            )
            await channel.send_text_message(sender, notices.ADVICE_UNAVAILABLE)
            return
        except asyncio.CancelledError:
            logger.info("a %s client left mid-turn; the turn goes on", channel.name())
            raise
        except Exception as error:  # the user must get a reply, whatever broke
            # The type only: the message text and profile stay out of the logs.
            logger.error("turn failed: %s", type(error).__name__)
            logger.debug("turn failure details", exc_info=True)
            await channel.send_text_message(sender, notices.ADVICE_UNAVAILABLE)
            return
        if self.health.take_failure(sender):
            await channel.send_text_message(sender, notices.SAVE_FAILED)
        if counting.sent == 0:
            # Rasa swallowed an action failure (action server down): nothing was said.
            await channel.send_text_message(sender, notices.ADVICE_UNAVAILABLE)
