"""The REST channel for integrators: ``POST /webhooks/rest/webhook`` with
``{"sender": "user-42", "message": "is 228 enough for IM?"}``, answered with Rasa's list of
bot messages, each with its metadata (which question it answers).

Unlike Rasa's RestInput it trusts nothing the client says about identity: the conversation
is ``rest:<sender>`` (img_store.conversation), a client's ``input_channel`` is ignored, and
only the ``audience`` metadata key is kept. A request from beyond loopback (or through a
proxy) needs ``Authorization: Bearer $REST_TOKEN``, or a JWT signed with
``REST_JWT_SECRET`` (HS256), whose ``sub`` is then the sender. Bodies that are not the
expected JSON object get 400 with a one-line reason.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import AUDIENCES, TurnGuard, apply_request_limit
from img_store.conversation import Channel, ConversationKey, InvalidUserId, check_user_id

logger = logging.getLogger(__name__)

FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


class BadRequest(ValueError):
    """A body the channel cannot take; the message is the one-line reason sent back."""


@dataclass(frozen=True)
class RestRequest:
    sender: str
    message: str
    audience: str | None


@dataclass(frozen=True)
class RestAuth:
    """``REST_TOKEN`` (an integrator's bearer token) and ``REST_JWT_SECRET`` (end users'
    HS256 tokens); without either, only local callers are served."""

    token: str = ""
    jwt_secret: str = ""

    @classmethod
    def from_env(cls) -> RestAuth:
        return cls(os.environ.get("REST_TOKEN", ""), os.environ.get("REST_JWT_SECRET", ""))

    def caller(self, request: Request) -> tuple[bool, str | None]:
        """(allowed, the sender a JWT vouches for, if any)."""
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credential:
            if self.token and hmac.compare_digest(credential.encode(), self.token.encode()):
                return True, None
            if self.jwt_secret:
                try:
                    claims = jwt.decode(credential, self.jwt_secret, algorithms=["HS256"])
                except jwt.PyJWTError:
                    return False, None
                subject = claims.get("sub")
                return isinstance(subject, str), subject
            return False, None
        return _is_local(request), None


def _is_local(request: Request) -> bool:
    """A caller on this machine, not relayed by a proxy (which would add its headers)."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.ip).is_loopback
    except ValueError:
        return False


def parse_body(body: bytes, vouched_sender: str | None = None) -> RestRequest:
    """The request, or :class:`BadRequest` saying what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object: {"sender": ..., "message": ...}')
    sender = vouched_sender if vouched_sender is not None else data.get("sender")
    if sender is None:
        raise BadRequest("sender is required: the id of your user's conversation")
    try:
        check_user_id(sender)
    except InvalidUserId as error:
        raise BadRequest(f"sender: {error}") from None
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest("message is required and must be a string")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("metadata must be a JSON object")
    audience = (metadata or {}).get("audience")
    if audience is not None and audience not in AUDIENCES:
        raise BadRequest(f"metadata.audience must be one of {', '.join(AUDIENCES)}")
    return RestRequest(sender, message, audience)


def bad_request(reason: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


class MetadataCollector(CollectingOutputChannel):
    """Rasa's collector for one REST reply, keeping each message's ``metadata`` (e.g. which
    question it answers), which the stock collector drops."""

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


class GuardedRestInput(InputChannel):
    """``POST /webhooks/rest/webhook``; ``GET /webhooks/rest/`` for health."""

    channel = Channel.REST  # whose conversations these are (the console's are SHELL)

    @classmethod
    def name(cls) -> str:
        return cls.channel.value

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("custom_webhook_GuardedRestInput", __name__)
        apply_request_limit(rest)
        guard = TurnGuard(on_new_message)
        auth = RestAuth.from_env()

        @rest.get("/")
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.post("/webhook")
        async def receive(request: Request) -> HTTPResponse:
            allowed, vouched_sender = auth.caller(request)
            if not allowed:
                return bad_request("a bearer token is required from beyond this machine", 401)
            try:
                call = parse_body(request.body, vouched_sender)
            except BadRequest as error:
                return bad_request(str(error))
            key = ConversationKey(self.channel, call.sender)
            collector = MetadataCollector()
            metadata = {"audience": call.audience or "private"}
            await guard(
                UserMessage(
                    call.message,
                    collector,
                    key.sender_id,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )
            # The client knows its user as `sender`, not by the stored conversation id.
            return response.json(
                [{**message, "recipient_id": call.sender} for message in collector.messages]
            )

        return rest
