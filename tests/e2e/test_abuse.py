"""What an attacker on the open internet tries, against the real servers (issue #15): each
row of the probe that found the faults is a test here, plus hypothesis fuzzing of the REST
and webhook payloads. After each, the server must still answer other users, nothing may
leak (into replies or logs) and nothing stored may be lost."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.parse
import urllib.request
import uuid

import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from img_store.profiles import ProfileStore, make_engine
from img_store.settings import DatabaseSettings
from img_strategy import Profile, Visa
from tests.conversations.runner import conversation_id as rest_conversation_id
from tests.e2e.conftest import (
    ACTION_SECRET,
    TELEGRAM_SECRET,
    TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
)

pytestmark = pytest.mark.e2e

REST = "/webhooks/rest/webhook"
JSON = {"Content-Type": "application/json"}
CANARY = "zebracanary"  # in messages that stay stored; never in a log
FORGOTTEN = "quaggacanary"  # in a message that is then forgotten; nowhere at all


def post_json(stack, value: object, path: str = REST) -> tuple[int, bytes]:
    return stack.post(path, json.dumps(value).encode(), JSON)


def still_answers(stack, sender: str | None = None) -> None:
    """Another user's ordinary question is answered, as if nothing had happened."""
    sender = sender or f"abuse-bystander-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    said = stack.said(sender, "how many programs should I apply to for IM? CK 240, J1")
    assert said and "temporarily unavailable" not in said
    assert time.monotonic() - started < 10


def logs(stack) -> str:
    return stack.rasa_log.read_text() + stack.action_log.read_text()


def profiles(stack) -> ProfileStore:
    return ProfileStore(make_engine(DatabaseSettings("sqlite", str(stack.database))))


def events_of(stack, conversation: str) -> int:
    return stack.rows("SELECT COUNT(*) FROM events WHERE sender_id = ?", conversation)


def whatsapp(stack, sender: str, body: str) -> int:
    form = {"AccountSid": TWILIO_SID, "From": sender, "To": TWILIO_NUMBER, "Body": body}
    url = f"{stack.base_url}/webhooks/whatsapp/webhook"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return stack.post("/webhooks/whatsapp/webhook", urllib.parse.urlencode(form).encode(), headers)[
        0
    ]


# Row 1 ------------------------------------------------------------------------------------


def test_1_a_huge_message_is_refused_politely_at_once_without_memory_growth(rasa_stack):
    still_answers(rasa_stack)
    before_mb = rasa_stack.rasa.rss_mb()
    started = time.monotonic()
    status, body = post_json(rasa_stack, {"sender": "abuse-huge", "message": "ck 240 " * 14_286})
    elapsed = time.monotonic() - started
    assert status == 200 and elapsed < 1.0, elapsed
    [reply] = json.loads(body)
    assert "shorter" in reply["text"] and "ck 240" not in reply["text"]
    assert rasa_stack.rasa.rss_mb() - before_mb < 50
    assert events_of(rasa_stack, rest_conversation_id("abuse-huge")) == 0  # nothing stored
    still_answers(rasa_stack)


def test_1_the_longest_allowed_message_is_answered(rasa_stack):
    text = ("failed step 1 once, ck 236, need j1, graduated 2019, peds? " * 40)[:2000]
    assert "shorter" not in rasa_stack.said("abuse-longest", text)


def test_1_and_11_a_token_holder_of_the_http_api_is_held_to_the_same_limits(rasa_stack):
    huge = "ck 240 " * 14_286
    conversation = rest_conversation_id("abuse-api")
    started = time.monotonic()
    for path, body in (
        ("/model/parse", {"text": huge}),
        (f"/conversations/{conversation}/messages", {"text": huge, "sender": "user"}),
    ):
        status, reply = post_json(rasa_stack, body, f"{path}?token={TOKEN}")
        assert status == 400 and b"at most 2000 characters" in reply and b"ck 240" not in reply
    assert time.monotonic() - started < 1.0
    assert events_of(rasa_stack, conversation) == 0  # nothing parsed, nothing stored
    long_id = f"/conversations/{'s' * 1_000}/messages?token={TOKEN}"
    assert post_json(rasa_stack, {"text": "hi", "sender": "user"}, long_id)[0] == 400
    assert rasa_stack.rows("SELECT COUNT(*) FROM events WHERE LENGTH(sender_id) > 255") == 0
    still_answers(rasa_stack)


# Row 2 ------------------------------------------------------------------------------------


def test_2_rest_cannot_read_change_or_delete_a_whatsapp_users_data(rasa_stack):
    victim = "whatsapp:+15550042042"
    assert whatsapp(rasa_stack, victim, "is 241 enough for IM? passed s1 first try, j1") == 200
    profiles(rasa_stack).save("whatsapp", "+15550042042", Profile(step2_score=241, visa=Visa.J1))
    victim_events = events_of(rasa_stack, victim)
    assert victim_events > 0
    for claim in (
        {"sender": victim, "input_channel": "whatsapp"},
        {"sender": victim},
        {"sender": "+15550042042", "input_channel": "whatsapp"},
    ):
        shown = rasa_stack.said(claim["sender"], "what do you know about me?")
        assert "241" not in shown and "Saved with your consent" not in shown
        status, _ = post_json(rasa_stack, {**claim, "message": "my ck is 199, no visa needed"})
        assert status == 200
        post_json(rasa_stack, {**claim, "message": "forget me"})
    kept = profiles(rasa_stack).load("whatsapp", "+15550042042")
    assert kept is not None and kept.profile.step2_score == 241
    assert events_of(rasa_stack, victim) == victim_events
    still_answers(rasa_stack)


def test_2_rest_cannot_read_change_or_delete_a_telegram_users_profile(rasa_stack):
    profiles(rasa_stack).save("telegram", "4242", Profile(step2_score=243, visa=Visa.H1B))
    for claim in (
        {"sender": "telegram:4242"},
        {"sender": "4242", "input_channel": "telegram"},
        {"sender": "tg-4242", "input_channel": "telegram"},  # the id Telegram had before
    ):
        assert "243" not in rasa_stack.said(claim["sender"], "what do you know about me?")
        assert post_json(rasa_stack, {**claim, "message": "my ck is 199, no visa needed"})[0] == 200
        post_json(rasa_stack, {**claim, "message": "forget me"})
    kept = profiles(rasa_stack).load("telegram", "4242")
    assert kept is not None and kept.profile.step2_score == 243
    still_answers(rasa_stack)


# Row 3 ------------------------------------------------------------------------------------


async def socket_client(stack, session_id: str | None) -> tuple[socketio.AsyncClient, str, list]:
    client = socketio.AsyncClient()
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    received: list = []
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    client.on("bot_uttered", received.append)
    await client.connect(stack.base_url, headers={"Origin": stack.base_url}, transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    return client, await asyncio.wait_for(confirmed, 10), received


async def test_3_a_second_client_cannot_attach_to_another_web_chat(rasa_stack):
    victim, victim_session, victim_heard = await socket_client(rasa_stack, None)
    random_part = victim_session.partition(".")[0]
    attempts = [victim_session, random_part, f"{random_part}.forged", "default", None]
    attackers = [await socket_client(rasa_stack, attempt) for attempt in attempts]
    try:
        for _, session, _ in attackers:
            assert session != victim_session
        await victim.emit("user_uttered", {"message": "ck 236, j1, IM?", "session_id": ""})
        for client, _, _ in attackers:  # a message naming the victim's id stays the sender's
            await client.emit(
                "user_uttered",
                {"message": "what do you know about me", "session_id": victim_session},
            )
        deadline = time.monotonic() + 30
        while not victim_heard and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        assert victim_heard
        for _, _, heard in attackers:
            assert all("236" not in json.dumps(reply) for reply in heard)
    finally:
        for client, _, _ in [*attackers, (victim, None, None)]:
            await client.disconnect()
    await asyncio.sleep(1)
    # The victim reloading the page (its own id, its socket gone) continues its conversation.
    again, session, _ = await socket_client(rasa_stack, victim_session)
    await again.disconnect()
    assert session == victim_session


# Row 4 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"message": "ck 230"},
        {"sender": "", "message": "ck 230"},
        {"sender": None, "message": "ck 230"},
    ],
)
def test_4_no_sender_means_400_and_no_shared_conversation(rasa_stack, body):
    status, reply = post_json(rasa_stack, body)
    assert status == 400 and b"sender" in reply
    assert events_of(rasa_stack, "default") == 0
    assert events_of(rasa_stack, rest_conversation_id("default")) == 0


# Row 5 ------------------------------------------------------------------------------------


def test_5_big_metadata_is_refused_or_dropped_and_turns_stay_fast(rasa_stack):
    sender = "abuse-metadata"
    # A 10 MB body is refused from its Content-Length, before it is read.
    with socket.create_connection(("127.0.0.1", rasa_stack.rasa_port)) as raw:
        raw.sendall(
            b"POST " + REST.encode() + b" HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
        )
        raw.sendall(b'{"sender": "abuse-metadata", "message": "hi", "metadata": {"blob": "')
        assert raw.recv(100).startswith(b"HTTP/1.1 413")
    under_limit = {"sender": sender, "message": "ck 240", "metadata": {"blob": "y" * 900_000}}
    assert post_json(rasa_stack, under_limit)[0] == 200
    stored = rasa_stack.rows(
        "SELECT MAX(LENGTH(data)) FROM events WHERE sender_id = ?", rest_conversation_id(sender)
    )
    assert stored < 5_000
    started = time.monotonic()
    rasa_stack.say(sender, "is that enough for IM?")
    assert time.monotonic() - started < 2.0


# Row 6 ------------------------------------------------------------------------------------


def test_6_a_client_leaving_mid_turn_or_a_bad_type_logs_no_text(rasa_stack):
    sender = "abuse-leaver"
    body = json.dumps({"sender": sender, "message": f"{CANARY} my ck is 233, j1"}).encode()
    with socket.create_connection(("127.0.0.1", rasa_stack.rasa_port)) as raw:
        raw.sendall(
            b"POST " + REST.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        time.sleep(0.05)  # the turn has started; the client goes away
    for message in ([CANARY, 233], {"text": CANARY}, 233, None):
        assert post_json(rasa_stack, {"sender": sender, "message": message})[0] == 400
    time.sleep(3)
    # Nothing lost: the turn the client left was finished and stored.
    texts = [
        e.get("text")
        for e in rasa_stack.tracker(rest_conversation_id(sender))["events"]
        if e["event"] == "user"
    ]
    assert any(CANARY in (text or "") for text in texts)
    assert CANARY not in logs(rasa_stack)


# Row 7 ------------------------------------------------------------------------------------


def test_7_a_client_link_in_metadata_never_comes_back(rasa_stack):
    metadata = {"audience": "group", "private_chat_url": "https://evil.example/phish"}
    status, body = post_json(
        rasa_stack,
        {"sender": "abuse-link", "message": "what are my chances for IM?", "metadata": metadata},
    )
    assert status == 200 and b"evil.example" not in body


# Row 8 ------------------------------------------------------------------------------------


def action_call(stack, headers: dict[str, str]) -> int:
    forged = {
        "next_action": "action_forget_me",
        "sender_id": "whatsapp:+15550042042",
        "tracker": {"sender_id": "whatsapp:+15550042042", "events": [], "slots": {}},
        "domain": {},
        "version": "3.6.2",
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.action_port}/webhook",
        data=json.dumps(forged).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_8_the_action_server_refuses_calls_without_the_shared_secret(rasa_stack):
    profiles(rasa_stack).save("whatsapp", "+15550042042", Profile(step2_score=241))
    assert action_call(rasa_stack, {}) == 403
    assert action_call(rasa_stack, {"X-Action-Secret": "guess"}) == 403
    assert action_call(rasa_stack, {"X-Action-Secret": ACTION_SECRET[:-1]}) == 403
    assert profiles(rasa_stack).load("whatsapp", "+15550042042") is not None
    status = urllib.request.urlopen(f"http://127.0.0.1:{rasa_stack.action_port}/health").status
    assert status == 200
    still_answers(rasa_stack)  # Rasa itself sends the secret


# Row 9 ------------------------------------------------------------------------------------


def test_9_forget_me_leaves_no_readable_trace_in_the_database_files(rasa_stack):
    sender = "abuse-forget"
    rasa_stack.say(sender, f"{FORGOTTEN} failed step 1 once, ck 229, need j1, IM")
    rasa_stack.say(sender, "forget me")
    files = sorted(rasa_stack.database.parent.glob(rasa_stack.database.name + "*"))
    assert any(path.name.endswith("-wal") for path in files)
    for path in files:
        assert FORGOTTEN.encode() not in path.read_bytes(), path.name
    still_answers(rasa_stack)


# Row 10 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b'"text"',
        b"null",
        b"42",
        b"{",
        b'{"sender": "a", "message": 5}',
        b'{"sender": "a"}',
        b"\xff\xfe\x00",
    ],
)
def test_10_wrong_json_shapes_get_400_with_a_one_line_reason(rasa_stack, raw):
    status, body = rasa_stack.post(REST, raw, JSON)
    assert status == 400
    reason = json.loads(body)["error"]
    assert reason and "\n" not in reason


# Row 11 -----------------------------------------------------------------------------------


def test_11_a_long_sender_id_is_refused_and_not_stored(rasa_stack):
    status, body = post_json(rasa_stack, {"sender": "s" * 10_000, "message": "hi"})
    assert status == 400 and b"128" in body
    assert rasa_stack.rows("SELECT COUNT(*) FROM events WHERE LENGTH(sender_id) > 255") == 0


# Row 12 -----------------------------------------------------------------------------------


def test_12_the_rate_limit_follows_the_verified_identity(rasa_stack):
    """The stack allows 20 messages a minute per conversation. A flood is answered once;
    other users are not slowed; a Telegram user is limited by their Telegram id whatever
    REST senders claim it."""
    flood = [rasa_stack.say("abuse-flood", "hi") for _ in range(24)]
    assert sum(1 for replies in flood if replies) == 21  # 20 answers and one notice
    assert "faster than I can answer" in flood[20][0]["text"]
    still_answers(rasa_stack)
    victim = "whatsapp:+15550012012"
    for _ in range(22):  # a REST caller naming the WhatsApp user floods its own key
        rasa_stack.say(victim, "hi")
    assert whatsapp(rasa_stack, victim, "hi") == 200
    rasa_stack.fake_apis.wait_quiet()
    replies = [call.body["Body"] for call in rasa_stack.fake_apis.sent("Messages.json", To=victim)]
    assert replies and not any("faster than I can answer" in reply for reply in replies)


# Fuzzing ----------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
rest_bodies = json_values | st.fixed_dictionaries(
    {"sender": json_values | st.text(max_size=200), "message": json_values | st.text(max_size=80)},
    optional={"metadata": json_values, "input_channel": json_values},
)


@FUZZ
@given(body=rest_bodies)
def test_fuzzed_rest_bodies_never_break_the_server(rasa_stack, body):
    status, reply = post_json(rasa_stack, body)
    assert status in (200, 400), (status, reply[:200])
    if status == 200:
        assert isinstance(json.loads(reply), list)


telegram_updates = st.fixed_dictionaries(
    {"update_id": json_values},
    optional={
        "message": json_values
        | st.fixed_dictionaries(
            {
                "message_id": json_values,
                "from": json_values | st.fixed_dictionaries({"id": json_values}),
                "chat": json_values
                | st.fixed_dictionaries(
                    {
                        "id": json_values,
                        "type": st.sampled_from(["private", "group", "supergroup", 5]),
                    }
                ),
                "text": json_values,
            }
        ),
        "callback_query": json_values,
    },
)


@FUZZ
@given(update=telegram_updates | json_values)
def test_fuzzed_telegram_updates_never_break_the_server(rasa_stack, update):
    status, reply = rasa_stack.post(
        "/webhooks/telegram/webhook",
        json.dumps(update).encode(),
        {**JSON, "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert status in (200, 400), (status, reply[:200])


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["From", "Body", "ButtonPayload", "To", "Other"]),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
        | st.just("whatsapp:+15550001")
        | st.just("whatsapp:+1 5a/5"),
    )
)
def test_fuzzed_whatsapp_forms_never_break_the_server(rasa_stack, form):
    url = f"{rasa_stack.base_url}/webhooks/whatsapp/webhook"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(url, form),
    }
    status, reply = rasa_stack.post(
        "/webhooks/whatsapp/webhook", urllib.parse.urlencode(form).encode(), headers
    )
    assert status in (200, 400), (status, reply[:200])


def test_after_all_the_abuse_the_server_answers_and_logs_hold_no_canary(rasa_stack):
    still_answers(rasa_stack, "abuse-final")
    assert CANARY not in logs(rasa_stack) and FORGOTTEN not in logs(rasa_stack)
    assert "Traceback" not in rasa_stack.rasa_log.read_text()
