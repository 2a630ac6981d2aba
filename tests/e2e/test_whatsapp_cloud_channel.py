"""Meta-format webhooks posted to the WhatsApp Cloud API channel, signed with the app secret;
a fake Graph API on 127.0.0.1 records what the bot sends."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import zxingcpp
from PIL import Image

from img_channels import notices
from tests.e2e.conftest import (
    ROOT,
    TOKEN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_NUMBER,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_VERIFY_TOKEN,
)

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/whatsapp_cloud/webhook"
GROUP = "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD"
PRIVATE_LINK = f"https://wa.me/{WHATSAPP_NUMBER}?text="
_ids = itertools.count(1)


def message(sender: str, body: str, group: str | None = None, **extra: object) -> dict:
    found = {
        "from": sender,
        "id": f"wamid.e2e{next(_ids)}",
        "timestamp": "1764150000",
        "type": "text",
        "text": {"body": body},
        **extra,
    }
    if group:
        found["group_id"] = group
    return found


def tap(sender: str, kind: str, payload: str, title: str) -> dict:
    reply = {"id": payload, "title": title}
    return {
        "context": {"from": WHATSAPP_NUMBER, "id": "wamid.fake1"},
        "from": sender,
        "id": f"wamid.e2e{next(_ids)}",
        "timestamp": "1764150000",
        "type": "interactive",
        "interactive": {"type": kind, kind: reply},
    }


def notification(*messages: dict, statuses: list | None = None) -> bytes:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": WHATSAPP_NUMBER,
            "phone_number_id": WHATSAPP_PHONE_NUMBER_ID,
        },
        "contacts": [{"profile": {"name": "Dr"}, "wa_id": m["from"]} for m in messages],
    }
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body).encode()


def post(stack, raw: bytes, signature: str | None = "valid") -> int:
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        digest = hmac.new(WHATSAPP_APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        signature = f"sha256={digest}"
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    status, _ = stack.post(WEBHOOK, raw, headers)
    return status


def say(stack, *messages: dict) -> int:
    return post(stack, notification(*messages))


def sent_to(stack, recipient: str) -> list[dict]:
    return [call.body for call in stack.fake_apis.sent("/messages", to=recipient)]


def texts(sent: list[dict]) -> str:
    parts = []
    for body in sent:
        if body["type"] == "text":
            parts.append(body["text"]["body"])
        elif body["type"] == "interactive":
            parts.append(body["interactive"]["body"]["text"])
    return "\n".join(parts)


def slot(stack, sender_id: str, name: str) -> object:
    quoted = urllib.parse.quote(sender_id, safe=":")
    url = f"{stack.base_url}/conversations/{quoted}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["slots"].get(name)


def handshake(stack, mode: str, token: str, challenge: str) -> tuple[int, str]:
    query = urllib.parse.urlencode(
        {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}
    )
    try:
        with urllib.request.urlopen(f"{stack.base_url}{WEBHOOK}?{query}", timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_subscription_handshake_echoes_the_challenge_only_for_the_verify_token(rasa_stack):
    assert handshake(rasa_stack, "subscribe", WHATSAPP_VERIFY_TOKEN, "1158201444") == (
        200,
        "1158201444",
    )
    assert handshake(rasa_stack, "subscribe", "not-the-token", "1158201444")[0] == 403
    assert handshake(rasa_stack, "unsubscribe", WHATSAPP_VERIFY_TOKEN, "1158201444")[0] == 403


def test_unsigned_and_wrongly_signed_posts_are_refused_and_nothing_is_sent(rasa_stack):
    sender = "447700900101"
    raw = notification(message(sender, "hi"))
    assert post(rasa_stack, raw, signature=None) == 403
    assert post(rasa_stack, raw, signature="sha256=" + "0" * 64) == 403
    other_secret = hmac.new(b"another-app-secret", raw, hashlib.sha256).hexdigest()
    assert post(rasa_stack, raw, signature=f"sha256={other_secret}") == 403
    assert sent_to(rasa_stack, sender) == []
    assert post(rasa_stack, raw) == 200  # the same body, signed with the app secret
    assert sent_to(rasa_stack, sender)


def test_private_conversation_with_list_and_button_replies(rasa_stack):
    sender = "447700900102"
    assert say(rasa_stack, message(sender, "can I match peds with a Step 1 fail?")) == 200
    asked = sent_to(rasa_stack, sender)
    assert asked and all(body["recipient_type"] == "individual" for body in asked)
    assert all("context" not in body for body in asked)  # private chats are not quoted
    assert asked[-1]["type"] == "interactive"
    say(rasa_stack, message(sender, "220"))
    visa_question = sent_to(rasa_stack, sender)[-1]["interactive"]
    assert visa_question["type"] == "list"  # four options: more than three buttons
    rows = visa_question["action"]["sections"][0]["rows"]
    j1 = next(row for row in rows if row["title"] == "J-1")
    assert say(rasa_stack, tap(sender, "list_reply", j1["id"], "J-1")) == 200
    assert slot(rasa_stack, f"whatsapp_cloud:{sender}", "visa") == "j1"
    before = len(sent_to(rasa_stack, sender))
    say(rasa_stack, message(sender, "graduated in 2022"))
    answer = sent_to(rasa_stack, sender)[before:]
    assert "Pediatrics" in texts(answer)
    buttons = [body for body in answer if body["type"] == "interactive"]
    reply_buttons = [
        b for b in buttons if b["interactive"]["type"] == "button"
    ]  # at most three short options
    assert reply_buttons, "an answer offers its follow-ups as reply buttons"
    choice = reply_buttons[-1]["interactive"]["action"]["buttons"][0]["reply"]
    assert all(
        len(b["reply"]["title"]) <= 20
        for b in reply_buttons[-1]["interactive"]["action"]["buttons"]
    )
    before = len(sent_to(rasa_stack, sender))
    assert say(rasa_stack, tap(sender, "button_reply", choice["id"], choice["title"])) == 200
    assert len(sent_to(rasa_stack, sender)) > before
    events = rasa_stack.tracker(f"whatsapp_cloud:{sender}")["events"]
    user_texts = [event["text"] for event in events if event["event"] == "user"]
    assert user_texts[-1] == choice["id"]  # the tap arrived as the button's payload
    assert all(
        len(body.get("text", {}).get("body", "")) <= 4096 for body in sent_to(rasa_stack, sender)
    )


def test_a_photo_in_private_gets_a_polite_text_only_notice_and_statuses_are_quiet(rasa_stack):
    sender = "447700900103"
    photo = {"from": sender, "id": f"wamid.e2e{next(_ids)}", "type": "image", "image": {"id": "9"}}
    assert say(rasa_stack, photo) == 200
    assert texts(sent_to(rasa_stack, sender)) == notices.TEXT_ONLY
    status = {"id": "wamid.fake1", "status": "read", "recipient_id": sender, "timestamp": "1"}
    assert post(rasa_stack, notification(statuses=[status])) == 200
    assert len(sent_to(rasa_stack, sender)) == 1


def test_group_message_not_addressed_to_the_bot_is_ignored(rasa_stack):
    before = len(sent_to(rasa_stack, GROUP))
    assert say(rasa_stack, message("447700900201", "anyone matched IM with a 225?", GROUP)) == 200
    assert say(rasa_stack, message("447700900201", "/help", GROUP)) == 200
    assert len(sent_to(rasa_stack, GROUP)) == before


def test_group_mention_is_answered_in_the_group_with_the_private_link(rasa_stack):
    asking = message(
        "447700900202", f"@{WHATSAPP_NUMBER} can I match pediatrics with a Step 1 fail?", GROUP
    )
    before = len(sent_to(rasa_stack, GROUP))
    assert say(rasa_stack, asking) == 200
    sent = sent_to(rasa_stack, GROUP)[before:]
    assert sent, "the bot must answer a mention"
    assert all(body["recipient_type"] == "group" and body["type"] == "text" for body in sent)
    assert all(body["context"] == {"message_id": asking["id"]} for body in sent)
    said = texts(sent)
    assert PRIVATE_LINK in said
    assert "Step 2 CK score" not in said  # no profile questions in the group
    member = f"whatsapp_cloud:{GROUP}:447700900202"
    assert slot(rasa_stack, member, "requested_slot") is None
    # A reply to the bot's message is addressed too, and options there are numbered text.
    reply = message(
        "447700900202",
        "what ck is safe for peds",
        GROUP,
        context={"from": WHATSAPP_NUMBER, "id": "wamid.fake2"},
    )
    before = len(sent_to(rasa_stack, GROUP))
    say(rasa_stack, reply)
    answer = texts(sent_to(rasa_stack, GROUP)[before:])
    assert "235-240 or more" in answer
    assert "\n1. " in answer and "Reply to this message with a number" in answer
    # A number in reply to the bot picks that option, in this member's conversation.
    events = rasa_stack.tracker(member)["events"]
    last_turn = events[max(i for i, e in enumerate(events) if e["event"] == "user") :]
    options = next(
        (
            e["data"]["buttons"]
            for e in reversed(last_turn)
            if e["event"] == "bot" and e["data"].get("buttons")
        ),
        None,
    )
    assert options, "the answer's follow-ups were sent as numbered options"
    pick = message("447700900202", "1", GROUP, context={"from": WHATSAPP_NUMBER, "id": "wamid.x"})
    assert say(rasa_stack, pick) == 200
    user_texts = [e["text"] for e in rasa_stack.tracker(member)["events"] if e["event"] == "user"]
    assert user_texts[-1] == options[0]["payload"]


def test_two_members_of_one_group_have_separate_conversations(rasa_stack):
    first = message(
        "447700900203",
        f"@{WHATSAPP_NUMBER} what ck should I aim for in IM? my ck is 241, I need a j1",
        GROUP,
    )
    second = message("447700900204", f"@{WHATSAPP_NUMBER} what ck should I aim for in IM?", GROUP)
    assert say(rasa_stack, first) == 200
    assert say(rasa_stack, second) == 200
    assert slot(rasa_stack, f"whatsapp_cloud:{GROUP}:447700900203", "step2_score") == 241
    assert slot(rasa_stack, f"whatsapp_cloud:{GROUP}:447700900204", "step2_score") is None
    assert slot(rasa_stack, f"whatsapp_cloud:{GROUP}:447700900204", "visa") is None


def test_a_retried_delivery_is_answered_once_even_when_retries_overlap(rasa_stack):
    sender = "447700900104"
    raw = notification(message(sender, "is 228 enough for IM?"))
    assert post(rasa_stack, raw) == 200
    answered = len(sent_to(rasa_stack, sender))
    assert answered > 0
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(lambda _: post(rasa_stack, raw), range(3)))
    assert statuses == [200, 200, 200]
    rasa_stack.fake_apis.wait_quiet()
    assert len(sent_to(rasa_stack, sender)) == answered
    events = rasa_stack.tracker(f"whatsapp_cloud:{sender}")["events"]
    assert sum(event["event"] == "user" for event in events) == 1
    # A retry racing the first delivery of a new message: still one answer.
    fresh = notification(message(sender, "how many IM programs should I apply to?"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(lambda _: post(rasa_stack, fresh), range(2))) == [200, 200]
    events = rasa_stack.tracker(f"whatsapp_cloud:{sender}")["events"]
    assert sum(event["event"] == "user" for event in events) == 2


def test_the_invite_command_prints_the_link_and_its_qr_code_decodes_to_it(tmp_path):
    qr = tmp_path / "invite.png"
    result = subprocess.run(
        [sys.executable, "-m", "img_channels.whatsapp_cloud", "invite", "--qr", str(qr)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "WHATSAPP_NUMBER": f"+{WHATSAPP_NUMBER}",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    link = result.stdout.splitlines()[0]
    assert link.startswith(PRIVATE_LINK)
    [decoded] = zxingcpp.read_barcodes(Image.open(qr))
    assert decoded.text == link
