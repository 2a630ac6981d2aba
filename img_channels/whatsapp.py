"""WhatsApp through Twilio's Messaging API.

Rasa's own Twilio channel neither checks ``X-Twilio-Signature`` nor knows WhatsApp's
conventions, so this channel does both: unsigned or wrongly signed posts get 403,
buttons become numbered options, a reply "1", "2", ... is mapped back to the button's
payload (looked up in the tracker, so it survives restarts and works on any instance),
and long messages are split under Twilio's 1,600-character limit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from img_channels.choices import chosen_payload, last_buttons, numbered_options
from img_channels.guard import TurnGuard
from img_channels.text import split_message
from img_channels.webhook import EnvSettings, WebhookChannel, base_url_env, optional_env
from img_store.conversation import Channel, ConversationKey

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
MESSAGE_LIMIT = 1600  # characters per Twilio message body
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass(frozen=True)
class TwilioSettings(EnvSettings):
    """``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_WHATSAPP_NUMBER``
    (``whatsapp:+14155238886``), ``TWILIO_WEBHOOK_URL`` (the public address Twilio posts
    to, which the signature covers) and ``TWILIO_API_URL`` for a local API server."""

    required = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER")
    what = "WhatsApp"

    account_sid: str
    auth_token: str
    whatsapp_number: str
    webhook_url: str = ""
    api_url: str = "https://api.twilio.com"

    @classmethod
    def from_values(cls, values: dict[str, str]) -> TwilioSettings:
        number = values["TWILIO_WHATSAPP_NUMBER"]
        return cls(
            account_sid=values["TWILIO_ACCOUNT_SID"],
            auth_token=values["TWILIO_AUTH_TOKEN"],
            whatsapp_number=number if number.startswith("whatsapp:") else f"whatsapp:{number}",
            webhook_url=optional_env("TWILIO_WEBHOOK_URL"),
            api_url=base_url_env("TWILIO_API_URL", cls.api_url),
        )


class TwilioWhatsAppOutput(OutputChannel):
    """Sends through Twilio's Messages resource."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, settings: TwilioSettings) -> None:
        self.settings = settings

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(text, MESSAGE_LIMIT):
            await self._post(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered_options(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """An image Twilio fetches itself from its public URL (the actions send one only
        under PUBLIC_BASE_URL); the alt text goes along as the message body."""
        alt = str(kwargs.get("alt") or "")
        await self._post(recipient_id, split_message(alt, MESSAGE_LIMIT)[0] if alt else "", image)

    async def _post(self, recipient_id: str, body: str, media_url: str | None = None) -> None:
        settings = self.settings
        url = f"{settings.api_url}/2010-04-01/Accounts/{settings.account_sid}/Messages.json"
        form = {"From": settings.whatsapp_number, "To": recipient_id, "Body": body}
        if media_url:
            form["MediaUrl"] = media_url
        auth = aiohttp.BasicAuth(settings.account_sid, settings.auth_token)
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session,
                session.post(url, data=form, auth=auth) as reply,
            ):
                if reply.status >= 300:
                    logger.error("Twilio refused a message: HTTP %s", reply.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.error("Twilio unreachable: %s", type(error).__name__)


class WhatsAppInput(WebhookChannel[TwilioSettings], channel=Channel.WHATSAPP):
    """``POST /webhooks/whatsapp/webhook`` (Twilio's "when a message comes in")."""

    async def receive(
        self, request: Request, settings: TwilioSettings, guard: TurnGuard
    ) -> HTTPResponse:
        # Parsed here, not with request.form, which drops blank fields ("Body=" of a media
        # message) that Twilio's signature covers.
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        if not self._signed(request, form, settings):
            return response.json({"error": "forbidden"}, status=403)
        sender = form.get("From") or ""
        if not sender.startswith("whatsapp:"):
            return response.text(EMPTY_TWIML, content_type="text/xml")
        sender = ConversationKey(Channel.WHATSAPP, sender.removeprefix("whatsapp:")).sender_id
        text = form.get("ButtonPayload") or form.get("Body") or ""
        payload = chosen_payload(
            text, await last_buttons(request.app.ctx.agent.tracker_store, sender)
        )
        await guard(
            UserMessage(
                payload or text,
                TwilioWhatsAppOutput(settings),
                sender,
                input_channel=self.name(),
                metadata={"audience": "private"},
            )
        )
        return response.text(EMPTY_TWIML, content_type="text/xml")

    @staticmethod
    def _signed(request: Request, form: dict[str, str], settings: TwilioSettings) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature:
            return False
        # The signature covers the exact public URL Twilio used; behind a proxy that is
        # TWILIO_WEBHOOK_URL, not what this server sees.
        url = settings.webhook_url or request.url
        return RequestValidator(settings.auth_token).validate(url, form, signature)
