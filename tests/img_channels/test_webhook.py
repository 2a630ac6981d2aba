from __future__ import annotations

from dataclasses import dataclass

import pytest

from img_channels.telegram import TelegramInput, TelegramSettings
from img_channels.webhook import EnvSettings, base_url_env
from img_channels.whatsapp import TwilioSettings, WhatsAppInput
from img_channels.whatsapp_cloud import CloudSettings, WhatsAppCloudInput


@dataclass(frozen=True)
class DemoSettings(EnvSettings):
    required = ("DEMO_TOKEN", "DEMO_SECRET")
    what = "Demo"

    token: str
    secret: str

    @classmethod
    def from_values(cls, values: dict[str, str]) -> DemoSettings:
        return cls(values["DEMO_TOKEN"], values["DEMO_SECRET"])


def test_each_channel_names_itself_and_its_settings_in_its_class_line():
    assert TelegramInput.name() == "telegram"
    assert TelegramInput.settings_type is TelegramSettings
    assert WhatsAppInput.name() == "whatsapp"
    assert WhatsAppInput.settings_type is TwilioSettings
    assert WhatsAppCloudInput.name() == "whatsapp_cloud"
    assert WhatsAppCloudInput.settings_type is CloudSettings


def test_settings_are_off_unset_refused_half_set_and_read_when_set(monkeypatch):
    monkeypatch.delenv("DEMO_TOKEN", raising=False)
    monkeypatch.delenv("DEMO_SECRET", raising=False)
    assert DemoSettings.from_env() is None
    monkeypatch.setenv("DEMO_TOKEN", "t")
    with pytest.raises(ValueError, match="Demo is half configured: set DEMO_SECRET"):
        DemoSettings.from_env()
    monkeypatch.setenv("DEMO_SECRET", " s ")
    assert DemoSettings.from_env() == DemoSettings("t", "s")


def test_a_base_url_falls_back_when_blank_and_loses_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("DEMO_API_URL", "  ")
    assert base_url_env("DEMO_API_URL", "https://api.example/") == "https://api.example"
    monkeypatch.setenv("DEMO_API_URL", "http://127.0.0.1:8081/")
    assert base_url_env("DEMO_API_URL", "https://api.example") == "http://127.0.0.1:8081"
