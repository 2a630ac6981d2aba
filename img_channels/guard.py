"""One wrapper around Rasa's message handler, shared by every channel.

Rasa 3.6 stays silent when the action server is down (the processor logs the exception
and drops the action's events), waits up to five minutes for a slow one, and offers no
per-user rate limit. The guard turns each of these into a short reply.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from img_channels import notices
from img_store.tracker_store import take_save_failure

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class GuardSettings:
    """``RATE_LIMIT_PER_MINUTE`` (0 turns the limit off) and ``REPLY_TIMEOUT_S``."""

    messages_per_minute: int = 20
    reply_timeout_s: float = 30.0

    @classmethod
    def from_env(cls) -> GuardSettings:
        return cls(
            messages_per_minute=int(os.environ.get("RATE_LIMIT_PER_MINUTE", "20")),
            reply_timeout_s=float(os.environ.get("REPLY_TIMEOUT_S", "30")),
        )


class SlidingWindowLimiter:
    """At most ``limit`` messages per sender in any ``window_s`` seconds, in this process."""

    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._accepted: dict[str, deque[float]] = {}
        self._warned_at: dict[str, float] = {}

    def allow(self, sender_id: str) -> bool:
        if self.limit <= 0:
            return True
        now = self._clock()
        times = self._accepted.setdefault(sender_id, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return True
        return False

    def should_warn(self, sender_id: str) -> bool:
        """True once per window for a refused sender, so a flood gets one polite reply
        rather than one per message."""
        now = self._clock()
        last = self._warned_at.get(sender_id)
        if last is not None and now - last < self.window_s:
            return False
        self._warned_at[sender_id] = now
        return True


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


class TurnGuard:
    """Calls Rasa's handler for one user message, and always leaves the user a reply."""

    def __init__(self, handler: MessageHandler, settings: GuardSettings | None = None) -> None:
        self.handler = handler
        self.settings = settings or GuardSettings.from_env()
        self.limiter = SlidingWindowLimiter(self.settings.messages_per_minute)

    async def __call__(self, message: UserMessage) -> None:
        sender = message.sender_id
        channel = message.output_channel
        if not self.limiter.allow(sender):
            logger.info("rate limit reached for a %s sender", channel.name())
            if self.limiter.should_warn(sender):
                await channel.send_text_message(sender, notices.RATE_LIMITED)
            return
        counting = CountingOutput(channel)
        message.output_channel = counting
        try:
            await asyncio.wait_for(self.handler(message), self.settings.reply_timeout_s)
        except asyncio.TimeoutError:
            logger.warning(
                "no reply within %ss; the turn was abandoned", self.settings.reply_timeout_s
            )
            await channel.send_text_message(sender, notices.ADVICE_UNAVAILABLE)
            return
        except Exception as error:  # the user must get a reply, whatever broke
            # The type only: the message text and profile stay out of the logs.
            logger.error("turn failed: %s", type(error).__name__)
            logger.debug("turn failure details", exc_info=True)
            await channel.send_text_message(sender, notices.ADVICE_UNAVAILABLE)
            return
        if take_save_failure(sender):
            await channel.send_text_message(sender, notices.SAVE_FAILED)
        if counting.sent == 0:
            # Rasa swallowed an action failure (action server down): nothing was said.
            await channel.send_text_message(sender, notices.ADVICE_UNAVAILABLE)
