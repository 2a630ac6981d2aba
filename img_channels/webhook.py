"""What the Telegram and WhatsApp channels share: settings from the environment, a
health route, 503 until configured, and the TurnGuard around every turn."""

from __future__ import annotations

import logging
import os
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


def required_env(names: tuple[str, ...], what: str) -> dict[str, str] | None:
    """The variables' values; None when none is set (the channel stays off), an error
    naming the missing ones when only some are."""
    values = {name: os.environ.get(name, "").strip() for name in names}
    if not any(values.values()):
        return None
    unset = [name for name, value in values.items() if not value]
    if unset:
        raise ValueError(f"{what} is half configured: set {', '.join(unset)}")
    return values


class WebhookChannel(InputChannel, ABC, Generic[S]):
    """``POST /webhooks/<name>/webhook`` handled by :meth:`receive`, ``GET`` on the same
    path by :meth:`challenge` (a platform's subscription check), ``GET /webhooks/<name>/``
    for health."""

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

    async def challenge(self, request: Request, settings: S) -> HTTPResponse:
        """Answer a platform's GET on the webhook address; only Meta's channels use one."""
        return response.json({"error": "method not allowed"}, status=405)

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
                return self._not_configured()
            try:
                return await self.receive(request, self.settings, guard)
            except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
                # A signed post of an unexpected shape; the guard catches what Rasa raises,
                # so this is the parsing. The type only: the payload stays out of the log.
                logger.info("%s: unreadable post (%s)", self.name(), type(error).__name__)
                return response.json({"error": f"not a {self.name()} message"}, status=400)

        @webhook.get("/webhook")
        async def challenge(request: Request) -> HTTPResponse:
            if self.settings is None:
                return self._not_configured()
            return await self.challenge(request, self.settings)

        return webhook

    def _not_configured(self) -> HTTPResponse:
        return response.json({"error": f"{self.name()} is not configured"}, status=503)
