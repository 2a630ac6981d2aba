"""Twilio WhatsApp webhook posts, signed and unsigned; a fake Twilio API records replies."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.conftest import TOKEN, TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/whatsapp/webhook"


def post(stack, sender: str, body: str, signature: str | None = "valid") -> int:
    form = {
        "SmsMessageSid": "SM1",
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": TWILIO_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "valid":
        url = f"{stack.base_url}{WEBHOOK}"
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    status, _ = stack.post(WEBHOOK, urllib.parse.urlencode(form).encode(), headers)
    return status


def bodies(stack, sender: str) -> list[str]:
    return [call.body["Body"] for call in stack.fake_apis.sent("Messages.json", To=sender)]


def latest_user_text(stack, sender: str) -> str:
    quoted = urllib.parse.quote(sender, safe=":+")
    url = f"{stack.base_url}/conversations/{quoted}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["latest_message"]["text"]


def test_unsigned_and_wrongly_signed_posts_are_refused(rasa_stack):
    sender = "whatsapp:+447700900001"
    assert post(rasa_stack, sender, "hi", signature=None) == 403
    assert post(rasa_stack, sender, "hi", signature="bm90IGEgc2lnbmF0dXJl") == 403
    assert bodies(rasa_stack, sender) == []


def test_signed_message_gets_numbered_options_and_a_number_picks_one(rasa_stack):
    sender = "whatsapp:+447700900002"
    assert post(rasa_stack, sender, "can I match peds with a Step 1 fail?") == 200
    sent = rasa_stack.fake_apis.sent("Messages.json", To=sender)
    assert sent and sent[-1].body["From"] == TWILIO_NUMBER
    assert sent[-1].authorization.startswith("Basic ")
    question = sent[-1].body["Body"]
    assert "\n1. " in question and "Reply with a number" in question
    assert post(rasa_stack, sender, "220") == 200
    visa_question = bodies(rasa_stack, sender)[-1]
    option = next(
        line.split(". ", 1)[0] for line in visa_question.splitlines() if line.endswith(". J-1")
    )
    assert post(rasa_stack, sender, option) == 200
    assert latest_user_text(rasa_stack, sender) == "I need a J1"
    assert all(len(body) <= 1600 for body in bodies(rasa_stack, sender))


def test_plan_arrives_as_one_message_per_phase(rasa_stack):
    sender = "whatsapp:+15550001777"
    assert post(rasa_stack, sender, "make me a plan. passed step 1 first attempt, ck 236") == 200
    sent = bodies(rasa_stack, sender)
    start = next(i for i, body in enumerate(sent) if body.startswith("Your plan aims at"))
    phases = [body.split("\n")[0] for body in sent[start + 1 :]]
    assert "ERAS application:" in phases and "Interviews and Match Day:" in phases
