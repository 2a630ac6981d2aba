from __future__ import annotations

import html

import pytest

from actions.messages import CONSENT_BUTTONS, follow_up_buttons, menu_buttons
from img_channels.telegram import (
    CALLBACK_DATA_LIMIT,
    TelegramOutput,
    TelegramSettings,
    inline_button,
    parse_update,
)
from img_strategy import Question
from tests.support.responses import response_button_sets

BOT = "advisor_bot"
PRIVATE = {"id": 10, "type": "private"}
GROUP = {"id": -100, "type": "group"}
ALICE = {"id": 10, "is_bot": False, "first_name": "A"}


def update(text: str, chat: dict = PRIVATE, **extra: object) -> dict:
    message = {"message_id": 5, "from": ALICE, "chat": chat, "date": 0, "text": text, **extra}
    return {"update_id": 1, "message": message}


def test_private_messages_are_answered_without_threading():
    incoming = parse_update(update("is 228 enough for IM?"), BOT)
    assert incoming is not None
    assert (incoming.text, incoming.sender_id, incoming.is_group) == (
        "is 228 enough for IM?",
        "telegram:10",
        False,
    )
    assert incoming.reply_to_message_id is None


@pytest.mark.parametrize(
    ("text", "extra", "expected"),
    [
        ("anyone matched IM?", {}, None),
        (
            "@advisor_bot is 228 enough for IM?",
            {"entities": [{"type": "mention", "offset": 0, "length": 12}]},
            "is 228 enough for IM?",
        ),
        (
            "@someone_else is 228 enough?",
            {"entities": [{"type": "mention", "offset": 0, "length": 13}]},
            None,
        ),
        ("/help@advisor_bot", {}, "/help"),
        ("/help@other_bot", {}, None),
        ("/advice is 228 enough for IM?", {}, "is 228 enough for IM?"),
        ("/start", {}, "/greet"),
        ("/unknown", {}, None),
        (
            "is 228 enough?",
            {
                "reply_to_message": {
                    "message_id": 1,
                    "from": {"id": 1, "is_bot": True, "username": "Advisor_Bot"},
                }
            },
            "is 228 enough?",
        ),
        (
            "is 228 enough?",
            {
                "reply_to_message": {
                    "message_id": 1,
                    "from": {"id": 2, "is_bot": False, "username": "advisor_bot"},
                }
            },
            None,
        ),
    ],
)
def test_group_messages_are_answered_only_when_addressed(text, extra, expected):
    incoming = parse_update(update(text, GROUP, **extra), BOT)
    assert (incoming.text if incoming else None) == expected
    if incoming:
        assert incoming.is_group and incoming.reply_to_message_id == 5
        assert incoming.sender_id == "telegram:-100:10"


def test_bots_and_non_message_updates_are_ignored():
    from_bot = update("hi")
    from_bot["message"]["from"] = {"id": 3, "is_bot": True}
    assert parse_update(from_bot, BOT) is None
    assert parse_update({"update_id": 2, "edited_message": {}}, BOT) is None


def test_a_button_press_becomes_the_payload_in_the_presser_s_conversation():
    press = {
        "update_id": 3,
        "callback_query": {
            "id": "q",
            "from": {"id": 11, "is_bot": False},
            "message": {"message_id": 9, "chat": GROUP},
            "data": "I need a J1",
        },
    }
    incoming = parse_update(press, BOT)
    assert incoming is not None
    assert (incoming.text, incoming.sender_id, incoming.callback_query_id) == (
        "I need a J1",
        "telegram:-100:11",
        "q",
    )


def test_every_button_the_bot_sends_fits_telegram_callback_data():
    buttons = [*CONSENT_BUTTONS, *menu_buttons()]
    buttons += [b for q in Question for b in follow_up_buttons(q)]
    buttons += [b for buttons_of in response_button_sets() for b in buttons_of]
    for button in buttons:
        assert inline_button(button)["callback_data"] == button["payload"]
        assert len(button["payload"].encode()) <= CALLBACK_DATA_LIMIT


class RecordingApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    async def call(self, method: str, payload: dict) -> dict:
        self.calls.append((method, payload))
        return {"ok": True}


async def test_output_escapes_html_threads_and_splits():
    api = RecordingApi()
    output = TelegramOutput(api, chat_id=-100, reply_to_message_id=5)  # type: ignore[arg-type]
    await output.send_text_message("x", "CK <230 & J-1 > H-1B")
    method, payload = api.calls[0]
    assert method == "sendMessage" and payload["parse_mode"] == "HTML"
    assert payload["text"] == "CK &lt;230 &amp; J-1 &gt; H-1B"
    assert payload["reply_parameters"]["message_id"] == 5
    await output.send_text_with_buttons("x", "long " * 2000, [{"title": "Why?", "payload": "why"}])
    parts = api.calls[1:]
    assert len(parts) > 1 and all(len(html.unescape(p["text"])) <= 4096 for _, p in parts)
    assert "reply_markup" in parts[-1][1] and "reply_markup" not in parts[0][1]


def test_settings_from_env(monkeypatch):
    for name in ("TELEGRAM_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert TelegramSettings.from_env() is None
    monkeypatch.setenv("TELEGRAM_TOKEN", "t")
    with pytest.raises(ValueError, match="TELEGRAM_BOT_USERNAME"):
        TelegramSettings.from_env()
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@advisor_bot")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s")
    settings = TelegramSettings.from_env()
    assert settings is not None
    assert settings.private_chat_url == "https://t.me/advisor_bot?start=advice"
