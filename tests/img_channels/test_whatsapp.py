from __future__ import annotations

import pytest

from img_channels.whatsapp import TwilioSettings


def test_settings_add_the_whatsapp_prefix(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    monkeypatch.setenv("TWILIO_WHATSAPP_NUMBER", "+14155238886")
    settings = TwilioSettings.from_env()
    assert settings is not None and settings.whatsapp_number == "whatsapp:+14155238886"
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        TwilioSettings.from_env()
