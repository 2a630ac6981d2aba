from __future__ import annotations

import pytest

from img_channels.whatsapp import TwilioSettings, chosen_payload, numbered_options

BUTTONS = [{"title": "J-1", "payload": "I need a J1"}, {"title": "H-1B", "payload": "h1b"}]


def test_buttons_become_a_numbered_list():
    text = numbered_options("Which visa?", BUTTONS)
    assert text.splitlines()[:4] == ["Which visa?", "", "1. J-1", "2. H-1B"]


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", "I need a J1"),
        (" 2. ", "h1b"),
        ("2)", "h1b"),
        ("3", None),
        ("0", None),
        ("235", None),
        ("one", None),
        ("١", None),
        ("", None),
    ],
)
def test_a_number_maps_back_to_its_payload(reply, payload):
    assert chosen_payload(reply, BUTTONS) == payload


def test_no_buttons_means_numbers_are_plain_text():
    assert chosen_payload("1", []) is None


def test_settings_add_the_whatsapp_prefix(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    monkeypatch.setenv("TWILIO_WHATSAPP_NUMBER", "+14155238886")
    settings = TwilioSettings.from_env()
    assert settings is not None and settings.whatsapp_number == "whatsapp:+14155238886"
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        TwilioSettings.from_env()
