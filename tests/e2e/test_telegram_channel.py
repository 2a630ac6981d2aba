"""Telegram-format updates posted to the webhook; a fake Bot API records the replies."""

from __future__ import annotations

import itertools
import json
import urllib.request

import pytest

from tests.e2e.conftest import TELEGRAM_BOT, TELEGRAM_SECRET, TOKEN

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/telegram/webhook"
GROUP = {"id": -1001234567890, "type": "supergroup", "title": "IMG Match 2027"}
BOT_USER = {"id": 999, "is_bot": True, "first_name": "Advisor", "username": TELEGRAM_BOT}
_ids = itertools.count(1000)


def user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"Dr {user_id}"}


def message(sender: dict, chat: dict, text: str, **extra: object) -> dict:
    body = {"message_id": next(_ids), "from": sender, "chat": chat, "date": 1, "text": text}
    return {"update_id": next(_ids), "message": {**body, **extra}}


def mention(text: str) -> tuple[str, list[dict]]:
    at = f"@{TELEGRAM_BOT}"
    return f"{at} {text}", [{"type": "mention", "offset": 0, "length": len(at)}]


def post(stack, update: dict, secret: str | None = TELEGRAM_SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    status, _ = stack.post(WEBHOOK, json.dumps(update).encode(), headers)
    return status


def replies(stack, chat_id: int, since: int) -> list[dict]:
    return [call.body for call in stack.fake_apis.sent("/sendMessage", chat_id=chat_id)][since:]


def sent_count(stack, chat_id: int) -> int:
    return len(stack.fake_apis.sent("/sendMessage", chat_id=chat_id))


def slot(stack, sender_id: str, name: str) -> object:
    url = f"{stack.base_url}/conversations/{sender_id}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["slots"].get(name)


def test_wrong_or_missing_secret_is_refused_and_nothing_is_sent(rasa_stack):
    chat = {"id": 5001, "type": "private"}
    update = message(user(5001), chat, "hi")
    assert post(rasa_stack, update, secret="not-the-secret") == 403
    assert post(rasa_stack, update, secret=None) == 403
    assert sent_count(rasa_stack, 5001) == 0


def test_private_chat_asks_with_inline_buttons_and_a_button_press_answers(rasa_stack):
    alice = user(5002)
    chat = {"id": 5002, "type": "private"}
    assert post(rasa_stack, message(alice, chat, "/start")) == 200
    assert post(rasa_stack, message(alice, chat, "can I match peds with a Step 1 fail?")) == 200
    asked = replies(rasa_stack, 5002, 0)
    question = asked[-1]
    assert question["parse_mode"] == "HTML"
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert all(len(button["callback_data"].encode()) <= 64 for [button] in keyboard)
    assert "reply_parameters" not in question  # private chats are not threaded

    before = sent_count(rasa_stack, 5002)
    post(rasa_stack, message(alice, chat, "220"))
    visa_question = replies(rasa_stack, 5002, before)[-1]
    j1 = next(
        button
        for [button] in visa_question["reply_markup"]["inline_keyboard"]
        if button["text"] == "J-1"
    )
    press = {
        "update_id": next(_ids),
        "callback_query": {
            "id": "cb-1",
            "from": alice,
            "message": {"message_id": 77, "chat": chat, "date": 1, "text": "?"},
            "data": j1["callback_data"],
        },
    }
    before = sent_count(rasa_stack, 5002)
    assert post(rasa_stack, press) == 200
    assert rasa_stack.fake_apis.sent("/answerCallbackQuery", callback_query_id="cb-1")
    assert slot(rasa_stack, "telegram:5002", "visa") == "j1"
    post(rasa_stack, message(alice, chat, "graduated in 2022"))
    text = "\n".join(reply["text"] for reply in replies(rasa_stack, 5002, before))
    assert "Pediatrics" in text


def test_group_message_not_for_the_bot_is_ignored(rasa_stack):
    before = sent_count(rasa_stack, GROUP["id"])
    assert post(rasa_stack, message(user(6001), GROUP, "anyone matched IM with a 225?")) == 200
    assert post(rasa_stack, message(user(6001), GROUP, "/help@some_other_bot")) == 200
    assert sent_count(rasa_stack, GROUP["id"]) == before


def test_group_mention_is_answered_in_a_thread_and_personal_advice_moves_private(rasa_stack):
    text, entities = mention("can I match pediatrics with a Step 1 fail?")
    update = message(user(6002), GROUP, text, entities=entities)
    before = sent_count(rasa_stack, GROUP["id"])
    assert post(rasa_stack, update) == 200
    sent = replies(rasa_stack, GROUP["id"], before)
    assert sent, "the bot must answer a mention"
    assert all(
        reply["reply_parameters"]["message_id"] == update["message"]["message_id"] for reply in sent
    )
    said = "\n".join(reply["text"] for reply in sent)
    assert f"https://t.me/{TELEGRAM_BOT}?start=advice" in said
    # It never asks a member to post scores or visa in the group.
    assert "Step 2 CK score" not in said and "visa" not in said.lower().split("plans")[-1]
    assert slot(rasa_stack, f"telegram:{GROUP['id']}:6002", "requested_slot") is None


def test_group_reply_and_command_are_answered(rasa_stack):
    asked = message(user(6003), GROUP, "what is a safe ck for peds")
    bot_message = {"message_id": 4242, "from": BOT_USER, "chat": GROUP, "date": 1, "text": "…"}
    reply = message(user(6003), GROUP, "what is a safe ck for peds", reply_to_message=bot_message)
    before = sent_count(rasa_stack, GROUP["id"])
    post(rasa_stack, asked)  # neither mention, reply nor command: ignored
    assert sent_count(rasa_stack, GROUP["id"]) == before
    post(rasa_stack, reply)
    answer = "\n".join(r["text"] for r in replies(rasa_stack, GROUP["id"], before))
    assert "235-240 or more" in answer
    before = sent_count(rasa_stack, GROUP["id"])
    command = message(
        user(6003),
        GROUP,
        f"/help@{TELEGRAM_BOT}",
        entities=[{"type": "bot_command", "offset": 0, "length": 5 + len(TELEGRAM_BOT)}],
    )
    post(rasa_stack, command)
    assert replies(rasa_stack, GROUP["id"], before)


def test_each_group_member_has_their_own_conversation(rasa_stack):
    text, entities = mention("what ck should I aim for in IM? my ck is 241, I need a j1")
    post(rasa_stack, message(user(6004), GROUP, text, entities=entities))
    text, entities = mention("what ck should I aim for in IM?")
    post(rasa_stack, message(user(6005), GROUP, text, entities=entities))
    assert slot(rasa_stack, f"telegram:{GROUP['id']}:6004", "step2_score") == 241
    assert slot(rasa_stack, f"telegram:{GROUP['id']}:6005", "step2_score") is None
    assert slot(rasa_stack, f"telegram:{GROUP['id']}:6005", "visa") is None


def test_chart_goes_as_a_photo_and_the_plan_as_messages_and_a_calendar_file(rasa_stack):
    carol = user(5077)
    chat = {"id": 5077, "type": "private"}
    text = "is 228 enough for IM? passed step 1 first attempt, need j1, graduated 2022"
    assert post(rasa_stack, message(carol, chat, text)) == 200
    [photo] = rasa_stack.fake_apis.sent("/sendPhoto", chat_id="5077")
    assert photo.body["photo"]["bytes"].startswith(b"\x89PNG")
    assert "Your CK: 228" in photo.body["caption"]

    before = sent_count(rasa_stack, 5077)
    assert post(rasa_stack, message(carol, chat, "make me a plan")) == 200
    texts = [reply["text"] for reply in replies(rasa_stack, 5077, before)]
    assert any(t.startswith("Your plan aims at the 2028 Match") for t in texts)
    assert any(t.startswith("Interviews and Match Day:") for t in texts)
    [document] = rasa_stack.fake_apis.sent("/sendDocument", chat_id="5077")
    assert document.body["document"]["filename"] == "residency-plan.ics"
    assert document.body["document"]["bytes"].startswith(b"BEGIN:VCALENDAR")
