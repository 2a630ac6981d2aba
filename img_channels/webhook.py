"""What the Telegram and WhatsApp channels share: settings from the environment, a
health route, 503 until configured, and the TurnGuard around every turn."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import TurnGuard, apply_request_limit

logger = logging.getLogger(__name__)


S = TypeVar("S")


class WebhookChannel(InputChannel, ABC, Generic[S]):
    """``POST /webhooks/<name>/webhook`` handled by :meth:`receive`;
    ``GET /webhooks/<name>/`` for health."""

    settings_type: type[Any]  # a class with from_env() -> settings or None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(cls.settings_type.from_env())

    def __init__(self, settings: S | None) -> None:
        self.settings = settings
        if settings is None:
            logger.info("%s disabled: its environment variables are not set", self.name())

    @abstractmethod
    async def receive(self, request: Request, settings: S, guard: TurnGuard) -> HTTPResponse:
        """Check, parse and answer one webhook post."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)
        apply_request_limit(webhook)
        guard = TurnGuard(on_new_message)

        @webhook.get("/")
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "disabled"})

        @webhook.post("/webhook")
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"error": f"{self.name()} is not configured"}, status=503)
            try:
                return await self.receive(request, self.settings, guard)
            except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
                # A signed post of an unexpected shape; the guard catches what Rasa raises,
                # so this is the parsing. The type only: the payload stays out of the log.
                logger.info("%s: unreadable post (%s)", self.name(), type(error).__name__)
                return response.json({"error": f"not a {self.name()} message"}, status=400)

        return webhook
