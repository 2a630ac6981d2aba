"""Rasa's REST channel, each turn passed through the TurnGuard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from img_channels.guard import TurnGuard

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


class GuardedRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` as in Rasa, with the rate limit and fault replies; a
    bot message's metadata (e.g. which question it answers) is returned with it."""

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        return super().blueprint(_with_metadata(TurnGuard(on_new_message)))


class MetadataCollector(CollectingOutputChannel):
    """Rasa's collector for one REST reply, keeping each message's ``metadata``, which the
    stock collector drops."""

    def __init__(self, inner: CollectingOutputChannel) -> None:
        super().__init__()
        self.messages = inner.messages  # the list Rasa's REST handler returns

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        start = len(self.messages)
        await super().send_text_message(recipient_id, text, **kwargs)
        self._tag(start, kwargs.get("metadata"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        start = len(self.messages)
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        self._tag(start, kwargs.get("metadata"))

    def _tag(self, start: int, metadata: Any) -> None:
        if metadata:
            for message in self.messages[start:]:
                message["metadata"] = metadata


def _with_metadata(handler: MessageHandler) -> MessageHandler:
    async def handle(message: UserMessage) -> Any:
        # Streaming replies use Rasa's queue channel, which is left as it is.
        if type(message.output_channel) is CollectingOutputChannel:
            message.output_channel = MetadataCollector(message.output_channel)
        return await handler(message)

    return handle
