"""Telegram, for private chats and IMG group chats, through the Bot API webhook.

In a group the bot answers only when mentioned, replied to, or given a command, threads
its reply to the asking message, and keeps one conversation per member (the sender id
holds both the chat and the member). Personal advice moves to a private chat: the
actions see ``audience: group`` in the message metadata and offer the private link.

Configured only by environment variables (``TelegramSettings``). Every update must carry
``X-Telegram-Bot-Api-Secret-Token``; anything else gets 403.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import TurnGuard
from img_channels.media import MediaStore, name_from_url
from img_channels.text import split_message
from img_channels.webhook import EnvSettings, WebhookChannel, base_url_env, optional_env
from img_store.conversation import Channel, ConversationKey

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MESSAGE_LIMIT = 4096  # characters per Telegram message
CALLBACK_DATA_LIMIT = 64  # bytes of callback_data per inline button
CAPTION_LIMIT = 1024  # characters of a photo caption
# Commands, mapped to what the user would have typed (``/intent`` skips NLU in Rasa).
COMMANDS = {"start": "/greet", "help": "/help", "advice": "/help"}


@dataclass(frozen=True)
class TelegramSettings(EnvSettings):
    """``TELEGRAM_TOKEN``, ``TELEGRAM_BOT_USERNAME`` (without @), ``TELEGRAM_WEBHOOK_URL``
    (the public https address of /webhooks/telegram/webhook), ``TELEGRAM_WEBHOOK_SECRET``
    (1-256 of A-Z a-z 0-9 _ -), and ``TELEGRAM_API_URL`` for a local Bot API server."""

    required = ("TELEGRAM_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_SECRET")
    what = "Telegram"

    token: str
    bot_username: str
    webhook_url: str
    webhook_secret: str
    api_url: str = "https://api.telegram.org"

    @classmethod
    def from_values(cls, values: dict[str, str]) -> TelegramSettings:
        return cls(
            token=values["TELEGRAM_TOKEN"],
            bot_username=values["TELEGRAM_BOT_USERNAME"].lstrip("@"),
            webhook_url=optional_env("TELEGRAM_WEBHOOK_URL"),
            webhook_secret=values["TELEGRAM_WEBHOOK_SECRET"],
            api_url=base_url_env("TELEGRAM_API_URL", cls.api_url),
        )

    @property
    def private_chat_url(self) -> str:
        return f"https://t.me/{self.bot_username}?start=advice"


@dataclass(frozen=True)
class Incoming:
    """One update the bot should answer."""

    text: str
    sender_id: str
    chat_id: int
    reply_to_message_id: int | None
    is_group: bool
    callback_query_id: str | None = None


def _sender_id(chat: dict[str, Any], user: dict[str, Any]) -> str:
    if chat.get("type") == "private":
        user_id = str(int(user["id"]))
    else:
        user_id = f"{int(chat['id'])}:{int(user['id'])}"  # one conversation per member per group
    return ConversationKey(Channel.TELEGRAM, user_id).sender_id


def _command(text: str, bot_username: str) -> tuple[str, str] | None:
    """("advice", "rest of text") for "/advice@bot rest of text"; None when the command
    is addressed to another bot."""
    head, _, rest = text.partition(" ")
    name, _, addressee = head[1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower(), rest.strip()


def _mentions_bot(message: dict[str, Any], bot_username: str) -> bool:
    text = message.get("text", "")
    for entity in message.get("entities", []):
        if entity.get("type") == "mention":
            mention = text[entity["offset"] : entity["offset"] + entity["length"]]
            if mention.lower() == f"@{bot_username.lower()}":
                return True
    return False


def _replies_to_bot(message: dict[str, Any], bot_username: str) -> bool:
    author = (message.get("reply_to_message") or {}).get("from") or {}
    return bool(author.get("is_bot")) and author.get("username", "").lower() == (
        bot_username.lower()
    )


def parse_update(update: dict[str, Any], bot_username: str) -> Incoming | None:
    """The turn an update asks for, or None when the bot should stay quiet."""
    if "callback_query" in update:
        query = update["callback_query"]
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        if not chat or "data" not in query:
            return None
        return Incoming(
            text=query["data"],
            sender_id=_sender_id(chat, query["from"]),
            chat_id=chat["id"],
            reply_to_message_id=message.get("message_id") if chat["type"] != "private" else None,
            is_group=chat["type"] != "private",
            callback_query_id=query["id"],
        )
    message = update.get("message")
    if not message or "from" not in message or message["from"].get("is_bot"):
        return None
    chat = message["chat"]
    is_group = chat.get("type") != "private"
    text = message.get("text", "").strip()
    command = _command(text, bot_username) if text.startswith("/") else None
    if text.startswith("/") and command is None:
        return None  # a command for another bot
    if is_group and not (
        command or _mentions_bot(message, bot_username) or _replies_to_bot(message, bot_username)
    ):
        return None
    if command:
        name, rest = command
        if name not in COMMANDS:
            return (
                None
                if is_group
                else Incoming("/help", _sender_id(chat, message["from"]), chat["id"], None, False)
            )
        text = rest if name == "advice" and rest else COMMANDS[name]
    else:
        text = _strip_mention(text, bot_username)
    if is_group and not text:
        text = COMMANDS["help"]
    return Incoming(
        text=text,
        sender_id=_sender_id(chat, message["from"]),
        chat_id=chat["id"],
        reply_to_message_id=message["message_id"] if is_group else None,
        is_group=is_group,
    )


def _strip_mention(text: str, bot_username: str) -> str:
    mention = f"@{bot_username}"
    start = text.lower().find(mention.lower())
    if start < 0:
        return text
    return (text[:start] + text[start + len(mention) :]).strip(" ,:")


class BotApi:
    """The few Bot API methods the channel uses. The token is part of every URL, so URLs
    are never logged."""

    def __init__(self, settings: TelegramSettings) -> None:
        self._base = f"{settings.api_url}/bot{settings.token}"

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self._post(method, {"json": payload})

    async def upload(
        self, method: str, fields: dict[str, Any], file_field: str, file_name: str, data: bytes
    ) -> dict[str, Any]:
        """A method that takes a file (sendPhoto, sendDocument), sent as multipart form."""
        form = aiohttp.FormData()
        for key, value in fields.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        form.add_field(file_field, data, filename=file_name)
        return await self._post(method, {"data": form})

    async def _post(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=15)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(f"{self._base}/{method}", **body) as reply,
            ):
                body = await reply.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as error:
            logger.error("Telegram %s unreachable: %s", method, type(error).__name__)
            return {"ok": False}
        if not body.get("ok"):
            logger.error("Telegram %s failed: %s", method, body.get("description", "?"))
        return body


class TelegramOutput(OutputChannel):
    """Sends to one chat, threaded to the asking message in groups; HTML-escaped text,
    buttons as an inline keyboard."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: BotApi, chat_id: int, reply_to_message_id: int | None) -> None:
        self.api = api
        self.chat_id = chat_id
        self.reply_to_message_id = reply_to_message_id

    async def _send(self, text: str, reply_markup: dict[str, Any] | None = None) -> None:
        parts = split_message(text, MESSAGE_LIMIT - 200)  # room for the escaping
        for index, part in enumerate(parts):
            payload: dict[str, Any] = {
                "chat_id": self.chat_id,
                "text": html.escape(part, quote=False),
                "parse_mode": "HTML",
                "disable_web_page_preview": True,
            }
            payload.update(self._thread())
            if reply_markup and index == len(parts) - 1:
                payload["reply_markup"] = reply_markup
            await self.api.call("sendMessage", payload)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = [[inline_button(button)] for button in buttons]
        await self._send(text, {"inline_keyboard": keyboard})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """A chart from the media store is uploaded (sendPhoto); Telegram has no alt text,
        so the alt goes into the caption, cut to Telegram's caption limit."""
        caption = str(kwargs.get("alt") or "")[:CAPTION_LIMIT]
        name = name_from_url(image)
        data = MediaStore.from_env().read(name) if name else None
        if data is None:
            await self._send(image)
            return
        fields: dict[str, Any] = {"chat_id": str(self.chat_id), **self._thread()}
        if caption:
            fields["caption"] = caption
        await self.api.upload("sendPhoto", fields, "photo", name or "chart.png", data)

    async def send_attachment(
        self, recipient_id: str, attachment: dict[str, Any], **kwargs: Any
    ) -> None:
        """A file from the media store (the plan's calendar) as a document."""
        payload = attachment.get("payload") or {}
        name = name_from_url(str(payload.get("src", "")))
        data = MediaStore.from_env().read(name) if name else None
        if data is None:
            return
        fields: dict[str, Any] = {"chat_id": str(self.chat_id), **self._thread()}
        file_name = str(payload.get("name") or name)
        await self.api.upload("sendDocument", fields, "document", file_name, data)

    def _thread(self) -> dict[str, Any]:
        if self.reply_to_message_id is None:
            return {}
        return {
            "reply_parameters": {
                "message_id": self.reply_to_message_id,
                "allow_sending_without_reply": True,
            }
        }


def inline_button(button: dict[str, Any]) -> dict[str, str]:
    """A Rasa button as a Telegram inline button; a payload too long for callback_data
    falls back to the title, which goes through NLU like typed text."""
    payload = str(button.get("payload", button["title"]))
    if len(payload.encode()) > CALLBACK_DATA_LIMIT:
        payload = str(button["title"])[:CALLBACK_DATA_LIMIT]
    return {"text": str(button["title"]), "callback_data": payload}


class TelegramInput(WebhookChannel[TelegramSettings], channel=Channel.TELEGRAM):
    """``POST /webhooks/telegram/webhook``; ``GET /webhooks/telegram/`` for health."""

    async def receive(
        self, request: Request, settings: TelegramSettings, guard: TurnGuard
    ) -> HTTPResponse:
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), settings.webhook_secret.encode()):
            return response.json({"error": "forbidden"}, status=403)
        try:
            update = json.loads(request.body)
        except ValueError:
            update = None
        if not isinstance(update, dict):
            return response.json({"error": "the body must be a Telegram update"}, status=400)
        incoming = parse_update(update, settings.bot_username)
        if incoming is None:
            return response.json({"status": "ignored"})
        api = BotApi(settings)
        if incoming.callback_query_id:
            await api.call("answerCallbackQuery", {"callback_query_id": incoming.callback_query_id})
        metadata = {
            "audience": "group" if incoming.is_group else "private",
            "private_chat_url": settings.private_chat_url,
        }
        await guard(
            UserMessage(
                incoming.text,
                TelegramOutput(api, incoming.chat_id, incoming.reply_to_message_id),
                incoming.sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
        )
        return response.json({"status": "ok"})


async def set_webhook(settings: TelegramSettings) -> dict[str, Any]:
    """Registers the webhook with Telegram, with the secret it must send back."""
    if not settings.webhook_url.startswith("https://"):
        raise ValueError("TELEGRAM_WEBHOOK_URL must be the public https:// webhook address")
    return await BotApi(settings).call(
        "setWebhook",
        {
            "url": settings.webhook_url,
            "secret_token": settings.webhook_secret,
            "allowed_updates": ["message", "callback_query"],
            "drop_pending_updates": True,
        },
    )


def main() -> None:
    """``python -m img_channels.telegram``: register the webhook from the environment."""
    import asyncio

    settings = TelegramSettings.from_env()
    if settings is None:
        raise SystemExit("set TELEGRAM_TOKEN, TELEGRAM_BOT_USERNAME, TELEGRAM_WEBHOOK_SECRET")
    result = asyncio.run(set_webhook(settings))
    print("webhook set" if result.get("ok") else f"failed: {result.get('description')}")


if __name__ == "__main__":
    main()
