from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from actions.messages import CONSENT_BUTTONS, follow_up_buttons, menu_buttons
from img_channels.whatsapp_cloud import (
    BUTTON_TITLE_LIMIT,
    INTERACTIVE_BODY_LIMIT,
    ROW_DESCRIPTION_LIMIT,
    ROW_TITLE_LIMIT,
    STARTER_TEXT,
    TEXT_LIMIT,
    Audience,
    CloudOutput,
    CloudSettings,
    choice_message,
    click_to_chat_url,
    main,
    parse_notification,
    public_image_url,
    signature_valid,
)
from img_strategy import Question
from tests.support.responses import response_button_sets

NUMBER = "15550001234"
SETTINGS = CloudSettings("106540352242922", "token", "app-secret", "verify", NUMBER)
GROUP_ID = "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD"
BUTTONS = [{"title": "J-1", "payload": "I need a J1"}, {"title": "H-1B", "payload": "h1b"}]


def notification(*messages: dict, statuses: list | None = None, phone_id: str = "") -> dict:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": NUMBER,
            "phone_number_id": phone_id or SETTINGS.phone_number_id,
        },
        "contacts": [{"profile": {"name": "Dr A"}, "wa_id": "447700900001"}],
    }
    if messages:
        value["messages"] = list(messages)
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def text(body: str, sender: str = "447700900001", group: str | None = None, **extra) -> dict:
    message = {
        "from": sender,
        "id": f"wamid.{abs(hash((body, sender, group)))}",
        "timestamp": "1739321024",
        "type": "text",
        "text": {"body": body},
        **extra,
    }
    if group:
        message["group_id"] = group
    return message


def turns(*messages: dict) -> list:
    return list(parse_notification(notification(*messages), SETTINGS).turns)


def sign(body: bytes, secret: str = "app-secret") -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ---- signature -----------------------------------------------------------------------------


def test_the_signature_covers_the_raw_body_and_the_app_secret():
    body = b'{"object":"whatsapp_business_account"}'
    assert signature_valid(body, sign(body), "app-secret")
    assert not signature_valid(body + b" ", sign(body), "app-secret")
    assert not signature_valid(body, sign(body, "other-secret"), "app-secret")
    assert not signature_valid(body, sign(body).removeprefix("sha256="), "app-secret")
    assert not signature_valid(body, "", "app-secret")
    assert not signature_valid(body, "sha256=é" * 10, "app-secret")


# ---- reading messages ----------------------------------------------------------------------


def test_a_private_text_is_a_turn_in_the_person_s_own_conversation():
    [turn] = turns(text("is 228 enough for IM?"))
    assert (turn.text, turn.audience, turn.sender_id) == (
        "is 228 enough for IM?",
        Audience.PRIVATE,
        "whatsapp_cloud:447700900001",
    )
    assert turn.readable and not turn.chosen


@pytest.mark.parametrize(
    ("interactive", "payload"),
    [
        (
            {"type": "button_reply", "button_reply": {"id": "I need a J1", "title": "J-1"}},
            "I need a J1",
        ),
        (
            {"type": "list_reply", "list_reply": {"id": "/ask_chances", "title": "My chances"}},
            "/ask_chances",
        ),
    ],
)
def test_a_tapped_button_or_list_row_becomes_its_payload(interactive, payload):
    message = {
        "context": {"from": NUMBER, "id": "wamid.question"},
        "from": "447700900001",
        "id": "wamid.tap",
        "timestamp": "1",
        "type": "interactive",
        "interactive": interactive,
    }
    [turn] = turns(message)
    assert (turn.text, turn.chosen) == (payload, True)


def test_a_template_quick_reply_becomes_its_payload():
    message = {"from": "447700900001", "id": "wamid.q", "type": "button"}
    message["button"] = {"payload": "/greet", "text": "Start"}
    assert [turn.text for turn in turns(message)] == ["/greet"]


def test_media_in_private_asks_for_text_and_reactions_are_ignored():
    image = {"from": "447700900001", "id": "wamid.img", "type": "image", "image": {"id": "1"}}
    reaction = {"from": "447700900001", "id": "wamid.r", "type": "reaction", "reaction": {}}
    future = {"from": "447700900001", "id": "wamid.f", "type": "hologram"}
    parsed = turns(image, reaction, future)
    assert [(turn.message_id, turn.readable) for turn in parsed] == [
        ("wamid.img", False),
        ("wamid.f", False),
    ]


def test_statuses_are_not_turns_and_failures_report_only_their_error_code():
    statuses = [
        {"id": "wamid.1", "status": "delivered", "recipient_id": "447700900001"},
        {"id": "wamid.2", "status": "failed", "errors": [{"code": 131047, "title": "..."}]},
        {"id": "wamid.3", "status": "failed"},
    ]
    parsed = parse_notification(notification(statuses=statuses), SETTINGS)
    assert parsed.turns == () and parsed.failed_deliveries == (131047, 0)


def test_another_phone_number_s_messages_and_other_objects_are_ignored():
    assert not parse_notification(notification(text("hi"), phone_id="999"), SETTINGS).turns
    other = notification(text("hi"))
    other["object"] = "page"
    assert not parse_notification(other, SETTINGS).turns


@pytest.mark.parametrize(
    "bad",
    [
        {"from": "447700900001" * 10},  # an id longer than any real one
        {"from": "44 77<script>"},
        {"id": ""},
        {"id": "x" * 200},
        {"group_id": "not a group id!"},
        {"group_id": "Y2FwaV9n/cm91cDox"},  # "/" is not allowed in a conversation key
        {"group_id": "Y" * 120},  # group and member together over the key's 128 characters
        {"group_id": "Y2Fw:aV9n"},
        {"text": {"body": 5}},
        {"text": "hi"},
    ],
)
def test_malformed_messages_are_ignored(bad):
    assert turns({**text("@15550001234 hi"), **bad}) == []


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "object",
                        "entry",
                        "changes",
                        "value",
                        "field",
                        "metadata",
                        "messages",
                        "type",
                        "text",
                        "body",
                        "from",
                        "id",
                        "group_id",
                        "context",
                        "interactive",
                        "statuses",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_no_payload_shape_makes_the_parser_raise(body):
    parse_notification(body, SETTINGS)


# ---- groups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "extra", "expected"),
    [
        ("anyone matched IM with a 225?", {}, None),
        ("@15550001234 is 228 enough for IM?", {}, "is 228 enough for IM?"),
        ("is 228 enough for IM, @+1 555 000 1234?", {}, "is 228 enough for IM?"),
        ("@15550001234 228 enough for IM?", {}, "228 enough for IM?"),
        ("@1555000123 is 228 enough?", {}, None),  # one digit short
        ("@447700900999 is 228 enough?", {}, None),  # someone else was mentioned
        ("/advice is 228 enough for IM?", {}, "is 228 enough for IM?"),
        ("/advice", {}, "/help"),
        ("@15550001234", {}, "/help"),
        ("/help", {}, None),  # only /advice addresses the bot without a mention
        ("@15550001234 /unknown", {}, None),
        ("is 228 enough?", {"context": {"from": NUMBER, "id": "wamid.bot"}}, "is 228 enough?"),
        ("is 228 enough?", {"context": {"from": "447700900999", "id": "wamid.x"}}, None),
    ],
)
def test_group_messages_are_answered_only_when_addressed(body, extra, expected):
    parsed = turns(text(body, group=GROUP_ID, **extra))
    assert (parsed[0].text if parsed else None) == expected
    if parsed:
        assert parsed[0].audience is Audience.GROUP
        assert parsed[0].sender_id == f"whatsapp_cloud:{GROUP_ID}:447700900001"


def test_group_members_have_separate_conversations_and_media_there_is_silent():
    alice = text("@15550001234 what CK is safe for peds?", "447700900001", GROUP_ID)
    bob = text("@15550001234 what CK is safe for peds?", "447700900002", GROUP_ID)
    image = {"from": "447700900003", "id": "wamid.i", "type": "image", "group_id": GROUP_ID}
    parsed = turns(alice, bob, image)
    assert len({turn.sender_id for turn in parsed}) == 2 and len(parsed) == 2


def test_private_commands():
    assert [t.text for t in turns(text("/advice is 228 enough?"))] == ["is 228 enough?"]
    assert [t.text for t in turns(text("/start"))] == ["/greet"]
    assert [t.text for t in turns(text("/whatever"))] == ["/help"]
    assert turns(text("   ")) == []


# ---- sending ---------------------------------------------------------------------------------


def every_button_set() -> list[list[dict]]:
    sets = [CONSENT_BUTTONS, menu_buttons()]
    sets += [follow_up_buttons(question) for question in Question]
    sets += [list(buttons) for buttons in response_button_sets()]
    return [buttons for buttons in sets if buttons]


def test_every_option_set_the_bot_sends_fits_an_interactive_message():
    for buttons in every_button_set():
        message = choice_message("Which one?", buttons)
        assert message is not None, buttons
        interactive = message["interactive"]
        if interactive["type"] == "button":
            replies = [b["reply"] for b in interactive["action"]["buttons"]]
            assert len(replies) <= 3
            assert all(len(reply["title"]) <= BUTTON_TITLE_LIMIT for reply in replies)
            assert [reply["id"] for reply in replies] == [b["payload"] for b in buttons]
        else:
            [section] = interactive["action"]["sections"]
            rows = section["rows"]
            assert [row["id"] for row in rows] == [b["payload"] for b in buttons]
            assert all(len(row["title"]) <= ROW_TITLE_LIMIT for row in rows)
            assert all(len(row.get("description", "")) <= ROW_DESCRIPTION_LIMIT for row in rows)


def test_long_titles_go_to_a_list_with_the_full_title_as_description():
    buttons = [
        {"title": "How many programs?", "payload": "/ask_programs"},
        {"title": "What if my score were higher?", "payload": "/what_if"},
    ]
    message = choice_message("Next?", buttons)
    assert message is not None and message["interactive"]["type"] == "list"
    row = message["interactive"]["action"]["sections"][0]["rows"][1]
    assert row["title"] == "What if my score were…"
    assert row["description"] == "What if my score were higher?"


def test_options_that_fit_no_interactive_message_are_left_to_numbering():
    eleven = [{"title": f"Option {n}", "payload": f"/o{n}"} for n in range(11)]
    assert choice_message("Pick", eleven) is None
    assert choice_message("Pick", [{"title": "A", "payload": "x" * 257}]) is None
    assert choice_message("x" * (INTERACTIVE_BODY_LIMIT + 1), BUTTONS) is None


class RecordingApi:
    def __init__(self, public_base_url: str = "") -> None:
        self.settings = CloudSettings("1", "t", "s", "v", NUMBER, public_base_url=public_base_url)
        self.sent: list[tuple[str, Audience, dict, str | None]] = []

    async def send(self, to, audience, content, reply_to=None) -> bool:
        self.sent.append((to, audience, content, reply_to))
        return True


async def test_in_a_group_options_are_numbered_and_replies_quote_the_question():
    api = RecordingApi()
    output = CloudOutput(api, GROUP_ID, Audience.GROUP, reply_to="wamid.ask")  # type: ignore[arg-type]
    await output.send_text_with_buttons("x", "Which visa?", BUTTONS)
    [(to, audience, content, reply_to)] = api.sent
    assert (to, audience, reply_to) == (GROUP_ID, Audience.GROUP, "wamid.ask")
    assert content["type"] == "text" and "\n1. J-1\n2. H-1B" in content["text"]["body"]
    assert content["text"]["body"].endswith("Reply to this message with a number to choose.")


async def test_a_long_private_answer_is_split_and_its_options_come_last():
    api = RecordingApi()
    output = CloudOutput(api, "447700900001", Audience.PRIVATE)  # type: ignore[arg-type]
    long = "A long paragraph about Match strategy. " * 200
    await output.send_text_with_buttons("x", long, BUTTONS)
    contents = [content for _, _, content, _ in api.sent]
    assert len(contents) > 2 and contents[-1]["type"] == "interactive"
    bodies = [c["text"]["body"] for c in contents[:-1]]
    assert all(len(body) <= TEXT_LIMIT for body in bodies)
    assert len(contents[-1]["interactive"]["body"]["text"]) <= INTERACTIVE_BODY_LIMIT
    assert "".join(bodies).replace(" ", "") in long.replace(" ", "") + "x"
    assert all(reply_to is None for *_, reply_to in api.sent)


async def test_images_go_by_link_when_whatsapp_can_fetch_them():
    api = RecordingApi()
    output = CloudOutput(api, "447700900001", Audience.PRIVATE)  # type: ignore[arg-type]
    await output.send_image_url("x", "/chat/charts/abc.png")
    assert api.sent == []  # no public address to give WhatsApp
    await output.send_image_url("x", "https://cdn.example.org/c.png")
    assert api.sent[-1][2] == {"type": "image", "image": {"link": "https://cdn.example.org/c.png"}}
    assert (
        public_image_url("/chat/charts/abc.png", "https://advisor.example.org/")
        == "https://advisor.example.org/chat/charts/abc.png"
    )


# ---- settings and the invite -------------------------------------------------------------------


ENV = (
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_NUMBER",
)


def test_settings_from_env(monkeypatch):
    for name in (*ENV, "WHATSAPP_GRAPH_URL", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert CloudSettings.from_env() is None
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "t")
    with pytest.raises(ValueError, match="WHATSAPP_APP_SECRET"):
        CloudSettings.from_env()
    for name in ENV:
        monkeypatch.setenv(name, "x")
    with pytest.raises(ValueError, match="country code"):
        CloudSettings.from_env()
    monkeypatch.setenv("WHATSAPP_NUMBER", "+1 (555) 000-1234")
    monkeypatch.setenv("WHATSAPP_GRAPH_URL", "http://127.0.0.1:9/v26.0/")
    settings = CloudSettings.from_env()
    assert settings is not None and settings.number == NUMBER
    assert settings.messages_url == "http://127.0.0.1:9/v26.0/x/messages"
    assert settings.private_chat_url.startswith(f"https://wa.me/{NUMBER}?text=")


def test_the_invite_prints_a_click_to_chat_link_and_its_qr_code_decodes_to_it(tmp_path, capsys):
    qr = tmp_path / "invite.png"
    assert main(["invite", "--number", "+1 555 000 1234", "--qr", str(qr)]) == 0
    link = capsys.readouterr().out.splitlines()[0]
    assert link == click_to_chat_url(NUMBER)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", f"/{NUMBER}")
    assert parse_qs(parts.query)["text"] == [STARTER_TEXT]
    [decoded] = zxingcpp.read_barcodes(Image.open(qr))
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert decoded.text == link


def test_the_invite_needs_a_number(tmp_path, monkeypatch):
    monkeypatch.delenv("WHATSAPP_NUMBER", raising=False)
    with pytest.raises(SystemExit):
        main(["invite", "--qr", str(tmp_path / "x.png")])
