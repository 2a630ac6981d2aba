"""WhatsApp through Meta's Cloud API: private chats, and small groups made with the Groups API.

Unlike Twilio's WhatsApp API, Meta's own API has groups: a business with an Official
Business Account creates invite-only groups of up to 8 participants, each group message
arrives with a ``group_id``, and replies go out with ``"recipient_type": "group"``. Groups
take text and media but no interactive messages, so options there are numbered text.

In a group the bot answers only when addressed (a mention of the business number, a reply
to one of its messages, or a leading ``/advice``), quotes the asking message, and keeps
one conversation per member. Personal advice moves to a private chat: the actions see
``audience: group`` in the message metadata and offer a ``wa.me`` link.

Meta checks the webhook address with a GET handshake (``hub.mode=subscribe``,
``hub.verify_token``, ``hub.challenge``) and signs every POST with ``X-Hub-Signature-256``
(``sha256=`` and the HMAC-SHA256 of the raw body under the app secret); anything else gets
403. Meta delivers a message again when it did not get a timely 200, so each message id is
claimed once in the shared database (img_store.deliveries) before it is answered.

``python -m img_channels.whatsapp_cloud invite`` prints a click-to-chat link and writes its
QR code: the way in for the big IMG groups, where no official API lets a bot take part.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import httpx
import segno
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels import notices
from img_channels.choices import chosen_payload, last_buttons, numbered_options
from img_channels.guard import TurnGuard
from img_channels.ratelimit import Verdict
from img_channels.telegram import COMMANDS
from img_channels.text import split_message
from img_channels.webhook import EnvSettings, WebhookChannel, base_url_env, optional_env
from img_store.conversation import Channel, ConversationKey, InvalidUserId, check_user_id
from img_store.deliveries import DeliveryLedger, open_delivery_ledger

logger = logging.getLogger(__name__)

CHANNEL = Channel.WHATSAPP_CLOUD.value
SIGNATURE_HEADER = "X-Hub-Signature-256"
GRAPH_URL = "https://graph.facebook.com/v26.0"
# The Cloud API's limits (Meta's messages reference).
TEXT_LIMIT = 4096  # characters of a text message body
INTERACTIVE_BODY_LIMIT = 1024  # characters of an interactive message's body
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
LIST_BUTTON_LABEL = "Choose"  # the list message's button (at most 20 characters)
CHOOSE_PROMPT = "Choose one:"
GROUP_REPLY_HINT = "Reply to this message with a number to choose."
# A webhook post batches messages; more than this in one post is not a real chat.
MAX_MESSAGES_PER_POST = 20
CHALLENGE_MAX_CHARS = 256
STARTER_TEXT = "Hi! I'm an IMG and I'd like advice on my residency Match strategy."
# What Meta may send for users, groups and messages: ids are bounded and plain.
_USER_ID = re.compile(r"[0-9A-Za-z._-]{1,64}")
_GROUP_ID = re.compile(r"[0-9A-Za-z_=+-]{1,120}")  # no ":" — it separates group and member
_MESSAGE_ID = re.compile(r"[0-9A-Za-z_.=+/:-]{1,160}")
# A mention as WhatsApp writes it into the text: "@" and the mentioned phone number.
_MENTION_MAX_CHARS = 24  # "+1 (555) 123-4567" and the like
_DANGLING = re.compile(r"[\s,]+([?.!])")  # what a removed mention leaves: "IM, ?"
# Messages that are not addressed to anyone: never answered, not even with a notice.
_SILENT_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome", "errors"})


class Audience(Enum):
    PRIVATE = "private"
    GROUP = "group"


def digits(text: str) -> str:
    return "".join(character for character in text if character.isascii() and character.isdigit())


def click_to_chat_url(number: str, text: str = STARTER_TEXT) -> str:
    """WhatsApp's click-to-chat link: opens a chat with ``number``, ``text`` typed in."""
    return f"https://wa.me/{digits(number)}?text={quote(text, safe='')}"


@dataclass(frozen=True)
class CloudSettings(EnvSettings):
    """``WHATSAPP_PHONE_NUMBER_ID`` (the business number's id in Meta's app dashboard),
    ``WHATSAPP_ACCESS_TOKEN`` (a system user's permanent token), ``WHATSAPP_APP_SECRET``
    (signs the webhooks), ``WHATSAPP_VERIFY_TOKEN`` (any string, also typed into the
    dashboard), ``WHATSAPP_NUMBER`` (the business number, e.g. +1 555 123 4567, for mentions
    and wa.me links), ``WHATSAPP_GRAPH_URL`` (Graph API base with version, or a local fake)
    and ``PUBLIC_BASE_URL`` (where this server is reachable, for images given by path)."""

    required = (
        "WHATSAPP_PHONE_NUMBER_ID",
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_NUMBER",
    )
    what = "WhatsApp Cloud API"

    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str
    number: str
    graph_url: str = GRAPH_URL
    public_base_url: str = ""

    @classmethod
    def from_values(cls, values: dict[str, str]) -> CloudSettings:
        return cls(
            phone_number_id=values["WHATSAPP_PHONE_NUMBER_ID"],
            access_token=values["WHATSAPP_ACCESS_TOKEN"],
            app_secret=values["WHATSAPP_APP_SECRET"],
            verify_token=values["WHATSAPP_VERIFY_TOKEN"],
            number=business_number(values["WHATSAPP_NUMBER"]),
            graph_url=base_url_env("WHATSAPP_GRAPH_URL", GRAPH_URL),
            public_base_url=optional_env("PUBLIC_BASE_URL"),
        )

    @property
    def messages_url(self) -> str:
        return f"{self.graph_url}/{self.phone_number_id}/messages"

    @property
    def private_chat_url(self) -> str:
        return click_to_chat_url(self.number)


def business_number(number: str) -> str:
    """The number as digits with the country code; an error for anything else."""
    only_digits = digits(number)
    if not 7 <= len(only_digits) <= 15:
        raise ValueError("WHATSAPP_NUMBER must be a phone number with its country code")
    return only_digits


# ---- reading Meta's webhook --------------------------------------------------------------


def signature_valid(raw_body: bytes, header: str, app_secret: str) -> bool:
    """``X-Hub-Signature-256`` checked in constant time against the raw body."""
    expected = "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace"))


@dataclass(frozen=True)
class Incoming:
    """One message the bot should answer."""

    message_id: str
    wa_id: str
    group_id: str | None
    text: str
    chosen: bool = False  # a tapped button or list row: ``text`` is its payload
    readable: bool = True  # False for media and other types the bot cannot read

    @property
    def audience(self) -> Audience:
        return Audience.GROUP if self.group_id else Audience.PRIVATE

    @property
    def user_id(self) -> str:
        """The member within the group, or the person in a private chat."""
        return f"{self.group_id}:{self.wa_id}" if self.group_id else self.wa_id

    @property
    def sender_id(self) -> str:
        return ConversationKey(Channel.WHATSAPP_CLOUD, self.user_id).sender_id


@dataclass(frozen=True)
class Notification:
    """What one webhook post holds for this number."""

    turns: tuple[Incoming, ...] = ()
    failed_deliveries: tuple[int, ...] = ()  # Meta's error code per failed outgoing message


def parse_notification(body: Any, settings: CloudSettings) -> Notification:
    """The messages to answer and the failed deliveries, for this phone number only (one
    app can serve several numbers); everything else is ignored."""
    turns: list[Incoming] = []
    failures: list[int] = []
    for value in _message_values(body, settings.phone_number_id):
        for message in _dicts(value.get("messages"))[:MAX_MESSAGES_PER_POST]:
            incoming = parse_message(message, settings.number)
            if incoming is not None:
                turns.append(incoming)
        for status in _dicts(value.get("statuses")):
            if status.get("status") == "failed":
                failures.extend(_error_codes(status))
    return Notification(tuple(turns[:MAX_MESSAGES_PER_POST]), tuple(failures))


def _message_values(body: Any, phone_number_id: str) -> Iterator[dict[str, Any]]:
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        return
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            if isinstance(metadata, dict) and metadata.get("phone_number_id") == phone_number_id:
                yield value


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _error_codes(status: dict[str, Any]) -> list[int]:
    codes = [error.get("code") for error in _dicts(status.get("errors"))]
    return [code for code in codes if isinstance(code, int)] or [0]


def parse_message(message: dict[str, Any], number: str) -> Incoming | None:
    """The turn a message asks for, or None when the bot should stay quiet."""
    message_id, wa_id = message.get("id"), message.get("from")
    group_id = message.get("group_id")
    if not (_plain(message_id, _MESSAGE_ID) and _plain(wa_id, _USER_ID)):
        return None
    if group_id is not None and not _plain(group_id, _GROUP_ID):
        return None
    try:  # the conversation key's own rule: length and characters
        check_user_id(f"{group_id}:{wa_id}" if group_id else wa_id)
    except InvalidUserId:
        return None
    kind = message.get("type")
    chosen = _chosen(message)
    if chosen is not None:
        return Incoming(message_id, wa_id, group_id, chosen, chosen=True)
    if kind in _SILENT_TYPES or kind != "text":
        if kind in _SILENT_TYPES or group_id:
            return None  # a group never hears "I can only read text"
        return Incoming(message_id, wa_id, None, "", readable=False)
    body = _field(message, "text").get("body")
    if not isinstance(body, str):
        return None
    text = body.strip()
    if group_id:
        addressed, text = _addressed(text, message.get("context"), number)
        if not addressed:
            return None
    text = _command_text(text, in_group=bool(group_id))
    if text is None or (not text and not group_id):
        return None
    return Incoming(message_id, wa_id, group_id, text or COMMANDS["help"])


def _plain(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _field(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _chosen(message: dict[str, Any]) -> str | None:
    """The payload of a tapped reply button or list row (or a template's quick reply)."""
    payload: Any = None
    if message.get("type") == "interactive":
        interactive = _field(message, "interactive")
        kind = interactive.get("type")
        if kind in ("button_reply", "list_reply"):
            payload = _field(interactive, kind).get("id")
    elif message.get("type") == "button":
        button = _field(message, "button")
        payload = button.get("payload") or button.get("text")
    return payload if isinstance(payload, str) and payload.strip() else None


def _addressed(text: str, context: Any, number: str) -> tuple[bool, str]:
    """Whether a group message is for the bot, and its text without the mention."""
    mention = _mention(text, number)
    if mention is not None:
        start, end = mention
        rest = " ".join((text[:start] + " " + text[end:]).split())
        return True, _DANGLING.sub(r"\1", rest).strip(" ,:")
    replied_to_bot = isinstance(context, dict) and digits(str(context.get("from", ""))) == number
    return replied_to_bot or text.lower().startswith("/advice"), text


def _mention(text: str, number: str) -> tuple[int, int] | None:
    """Where "@" and the business number stand in the text (WhatsApp writes a mention as
    "@15551234567"; typed by hand it may be "@+1 555 123 4567"), or None."""
    start = text.find("@")
    while start >= 0:
        seen = ""
        for end in range(start + 1, min(len(text), start + 1 + _MENTION_MAX_CHARS)):
            character = text[end]
            if character.isascii() and character.isdigit():
                seen += character
            elif character not in "+-() " or (not seen and character != "+"):
                break
            if seen == number:
                return start, end + 1
            if not number.startswith(seen):
                break
        start = text.find("@", start + 1)
    return None


def _command_text(text: str, *, in_group: bool) -> str | None:
    """Text for Rasa: "/advice <question>" becomes the question, the Telegram channel's
    other commands their mapping; an unknown command gets help in private, silence in a
    group."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    name = head[1:].lower()
    if name == "advice" and rest.strip():
        return rest.strip()
    if name in COMMANDS:
        return COMMANDS[name]
    return None if in_group else COMMANDS["help"]


# ---- sending through the Graph API -------------------------------------------------------


def text_message(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def image_message(link: str) -> dict[str, Any]:
    return {"type": "image", "image": {"link": link}}


def public_image_url(image: str, public_base_url: str) -> str | None:
    """An https address WhatsApp can fetch: absolute already, or a path under the public
    base URL; None when neither."""
    if image.startswith(("https://", "http://")):
        return image
    if public_base_url.startswith(("https://", "http://")):
        return urljoin(public_base_url.rstrip("/") + "/", image.lstrip("/"))
    return None


def choice_message(body: str, buttons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Up to three short options as reply buttons, up to ten as a list message; None
    when they fit neither (the caller numbers them instead)."""
    options = [(str(button["title"]), _payload(button)) for button in buttons]
    titles, payloads = [title for title, _ in options], [payload for _, payload in options]
    if not options or len(body) > INTERACTIVE_BODY_LIMIT or len(set(payloads)) < len(payloads):
        return None
    if (
        len(options) <= MAX_REPLY_BUTTONS
        and all(len(title) <= BUTTON_TITLE_LIMIT for title in titles)
        and all(len(payload) <= BUTTON_ID_LIMIT for payload in payloads)
        and len(set(titles)) == len(titles)
    ):
        return _interactive(
            "button",
            body,
            {
                "buttons": [
                    {"type": "reply", "reply": {"id": payload, "title": title}}
                    for title, payload in options
                ]
            },
        )
    if len(options) <= MAX_LIST_ROWS and all(len(p) <= ROW_ID_LIMIT for p in payloads):
        rows = [_row(title, payload) for title, payload in options]
        section = {"title": "Options", "rows": rows}
        return _interactive("list", body, {"button": LIST_BUTTON_LABEL, "sections": [section]})
    return None


def _payload(button: dict[str, Any]) -> str:
    return str(button.get("payload") or button["title"])


def _row(title: str, payload: str) -> dict[str, str]:
    """A list row; a title too long for the row is cut at a word and given in full as the
    row's description."""
    if len(title) <= ROW_TITLE_LIMIT:
        return {"id": payload, "title": title}
    cut = title[: ROW_TITLE_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return {"id": payload, "title": cut, "description": title[:ROW_DESCRIPTION_LIMIT]}


def _interactive(kind: str, body: str, action: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body}, "action": action},
    }


class GraphApi:
    """Posts to ``/<phone number id>/messages``. The token travels in a header and is
    never logged; neither is any message text."""

    def __init__(self, settings: CloudSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    async def send(
        self, to: str, audience: Audience, content: dict[str, Any], reply_to: str | None = None
    ) -> bool:
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "group" if audience is Audience.GROUP else "individual",
            "to": to,
            **content,
        }
        if reply_to:
            payload["context"] = {"message_id": reply_to}
        headers = {"Authorization": f"Bearer {self.settings.access_token}"}
        try:
            reply = await self.client.post(
                self.settings.messages_url, json=payload, headers=headers
            )
        except httpx.HTTPError as error:
            logger.error("WhatsApp Cloud API unreachable: %s", type(error).__name__)
            return False
        if reply.status_code >= 300:
            logger.error(
                "WhatsApp Cloud API refused a %s message: HTTP %s, error %s",
                content.get("type"),
                reply.status_code,
                _graph_error_code(reply),
            )
            return False
        return True


def _graph_error_code(reply: httpx.Response) -> Any:
    try:
        return (reply.json().get("error") or {}).get("code", "?")
    except (ValueError, AttributeError):
        return "?"


class CloudOutput(OutputChannel):
    """Sends to one person or one group; in a group, quoting the asking message and with
    options as numbered text (groups take no interactive messages)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(
        self, api: GraphApi, to: str, audience: Audience, reply_to: str | None = None
    ) -> None:
        self.api = api
        self.to = to
        self.audience = audience
        self.reply_to = reply_to

    async def _send(self, content: dict[str, Any]) -> None:
        await self.api.send(self.to, self.audience, content, self.reply_to)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(text, TEXT_LIMIT):
            await self._send(text_message(part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = split_message(text, TEXT_LIMIT) or [CHOOSE_PROMPT]
        *leading, body = parts
        if len(body) > INTERACTIVE_BODY_LIMIT:
            leading, body = parts, CHOOSE_PROMPT
        if self.audience is Audience.GROUP:
            # A bare "2" in a group is not addressed to the bot; a reply to its message is.
            numbered = numbered_options(text, buttons, hint=GROUP_REPLY_HINT)
            await self.send_text_message(recipient_id, numbered)
            return
        choice = choice_message(body, buttons)
        if choice is None:
            await self.send_text_message(recipient_id, numbered_options(text, buttons))
            return
        for part in leading:
            await self._send(text_message(part))
        await self._send(choice)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        link = public_image_url(image, self.api.settings.public_base_url)
        if link is None:
            logger.info("an image was left out: set PUBLIC_BASE_URL so WhatsApp can fetch it")
            return
        await self._send(image_message(link))


# ---- the input channel --------------------------------------------------------------------


class WhatsAppCloudInput(WebhookChannel[CloudSettings], channel=Channel.WHATSAPP_CLOUD):
    """``POST`` and ``GET /webhooks/whatsapp_cloud/webhook`` (Meta's callback URL);
    ``GET /webhooks/whatsapp_cloud/`` for health."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = CloudSettings.from_env()
        # The shared ledger's table must exist before the first message: fail at start-up.
        return cls(settings, open_delivery_ledger() if settings else None)

    def __init__(self, settings: CloudSettings | None, ledger: DeliveryLedger | None) -> None:
        super().__init__(settings)
        self.ledger = ledger

    async def challenge(self, request: Request, settings: CloudSettings) -> HTTPResponse:
        """Meta's subscription check: echo ``hub.challenge`` for the right verify token."""
        mode = request.args.get("hub.mode", "")
        token = request.args.get("hub.verify_token", "")
        challenge = request.args.get("hub.challenge", "")
        token_ok = hmac.compare_digest(token.encode(), settings.verify_token.encode())
        if mode != "subscribe" or not token_ok or not 0 < len(challenge) <= CHALLENGE_MAX_CHARS:
            return response.json({"error": "forbidden"}, status=403)
        return response.text(challenge)

    async def receive(
        self, request: Request, settings: CloudSettings, guard: TurnGuard
    ) -> HTTPResponse:
        raw = request.body or b""
        if not signature_valid(raw, request.headers.get(SIGNATURE_HEADER, ""), settings.app_secret):
            return response.json({"error": "forbidden"}, status=403)
        try:
            body = json.loads(raw)
        except ValueError:
            return response.json({"error": "the body is not JSON"}, status=400)
        notification = parse_notification(body, settings)
        for code in notification.failed_deliveries:
            logger.warning("WhatsApp could not deliver a message: error %s", code)
        if notification.turns:
            async with httpx.AsyncClient(timeout=httpx.Timeout(15.0)) as client:
                api = GraphApi(settings, client)
                for incoming in notification.turns:
                    if await self._first_delivery(incoming):
                        await self._answer(request, incoming, api, settings, guard)
        return response.json({"status": "ok"})

    async def _first_delivery(self, incoming: Incoming) -> bool:
        """False for a message already taken (Meta's retry, perhaps on another instance)."""
        if self.ledger is None:
            return True
        try:
            return await asyncio.to_thread(self.ledger.claim, CHANNEL, incoming.message_id)
        except Exception as error:  # an unreachable database must not silence the bot
            logger.error("delivery ledger unavailable: %s", type(error).__name__)
            return True

    async def _answer(
        self,
        request: Request,
        incoming: Incoming,
        api: GraphApi,
        settings: CloudSettings,
        guard: TurnGuard,
    ) -> None:
        in_group = incoming.audience is Audience.GROUP
        output = CloudOutput(
            api,
            to=incoming.group_id or incoming.wa_id,
            audience=incoming.audience,
            reply_to=incoming.message_id if in_group else None,
        )
        if not incoming.readable:
            if await guard.limiter.check(incoming.sender_id) is Verdict.ALLOW:
                await output.send_text_message(incoming.sender_id, notices.TEXT_ONLY)
            return
        text = incoming.text
        if not incoming.chosen:
            buttons = await last_buttons(request.app.ctx.agent.tracker_store, incoming.sender_id)
            text = chosen_payload(text, buttons) or text
        await guard(
            UserMessage(
                text,
                output,
                incoming.sender_id,
                input_channel=self.name(),
                message_id=incoming.message_id,
                metadata={
                    "audience": incoming.audience.value,
                    "private_chat_url": settings.private_chat_url,
                },
            )
        )


# ---- the way in from big groups -----------------------------------------------------------


def write_invite(number: str, qr_path: Path, text: str = STARTER_TEXT) -> str:
    """The click-to-chat link, with its QR code written as a PNG; returns the link."""
    link = click_to_chat_url(business_number(number), text)
    qr_path.parent.mkdir(parents=True, exist_ok=True)
    # Error correction M survives a pinned screenshot's compression; scale 10 prints well.
    segno.make(link, error="m").save(str(qr_path), kind="png", scale=10, border=4)
    return link


def main(argv: list[str] | None = None) -> int:
    """``python -m img_channels.whatsapp_cloud invite``: a link and QR code for big groups."""
    parser = argparse.ArgumentParser(prog="python -m img_channels.whatsapp_cloud")
    sub = parser.add_subparsers(dest="command", required=True)
    invite = sub.add_parser("invite", help="print a wa.me link and write its QR code (PNG)")
    invite.add_argument("--number", default=os.environ.get("WHATSAPP_NUMBER", ""))
    invite.add_argument("--text", default=STARTER_TEXT, help="the message typed in for them")
    invite.add_argument("--qr", type=Path, default=Path("whatsapp-invite.png"))
    args = parser.parse_args(argv)
    try:
        link = write_invite(args.number, args.qr, args.text)
    except ValueError as error:
        parser.error(f"{error} (--number or WHATSAPP_NUMBER)")
    print(link)
    print(f"QR code: {args.qr}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
