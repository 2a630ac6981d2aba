"""Rasa's REST channel, each turn passed through the TurnGuard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from img_channels.guard import TurnGuard


class GuardedRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` as in Rasa, with the rate limit and fault replies."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(TurnGuard(on_new_message))
