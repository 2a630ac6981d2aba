"""What the Telegram and WhatsApp channels share: settings from the environment, a
health route, 503 until configured, and the TurnGuard around every turn."""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic, TypeVar, get_args

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import TurnGuard, apply_request_limit
from img_store.conversation import Channel

logger = logging.getLogger(__name__)


S = TypeVar("S")
E = TypeVar("E", bound="EnvSettings")


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


def optional_env(name: str, default: str = "") -> str:
    """An optional variable's value; the default when it is unset or blank."""
    return os.environ.get(name, "").strip() or default


def base_url_env(name: str, default: str) -> str:
    """An API's base address, which a variable may point at a local server (tests, a
    self-hosted Bot API); without a trailing slash, as paths are appended to it."""
    return optional_env(name, default).rstrip("/")


class EnvSettings(ABC):
    """A channel's settings, read from the environment by one rule for every channel: off
    when none of its ``required`` variables is set, an error when only some are. A settings
    class declares those names and builds itself from their values in :meth:`from_values`."""

    required: ClassVar[tuple[str, ...]]
    what: ClassVar[str]  # the channel as an error message names it

    @classmethod
    def from_env(cls: type[E]) -> E | None:
        values = required_env(cls.required, cls.what)
        return None if values is None else cls.from_values(values)

    @classmethod
    @abstractmethod
    def from_values(cls: type[E], values: dict[str, str]) -> E:
        """The settings from the required variables' values; optional ones read here."""


class WebhookChannel(InputChannel, ABC, Generic[S]):
    """``POST /webhooks/<name>/webhook`` handled by :meth:`receive`, ``GET`` on the same
    path by :meth:`challenge` (a platform's subscription check), ``GET /webhooks/<name>/``
    for health."""

    # A subclass names its channel and its settings once, in its class line:
    # ``class TelegramInput(WebhookChannel[TelegramSettings], channel=Channel.TELEGRAM)``.
    channel: ClassVar[Channel]
    settings_type: ClassVar[type[EnvSettings]]  # S, read from the subclass's base

    def __init_subclass__(cls, *, channel: Channel, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.channel = channel
        # The S of ``WebhookChannel[S]`` in the subclass's bases (PEP 560 keeps it there).
        bases = cls.__orig_bases__  # type: ignore[attr-defined]
        cls.settings_type = next(get_args(base)[0] for base in bases if get_args(base))

    @classmethod
    def name(cls) -> str:
        return cls.channel.value

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
