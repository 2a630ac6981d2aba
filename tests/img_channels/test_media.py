"""The media store (random names, bounded), and the channels' picture and file sending:
Telegram uploads (against a local stand-in for the Bot API), WhatsApp media URLs."""

from __future__ import annotations

import os
import time

import pytest

from img_channels.media import MediaKind, MediaStore, name_from_url, public_url, url_of
from img_channels.telegram import BotApi, TelegramOutput, TelegramSettings
from tests.e2e.fake_apis import FakeApis

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def store(tmp_path):
    return MediaStore(tmp_path / "media", max_files=3, max_age_s=60)


@pytest.fixture
def fake():
    apis = FakeApis().start()
    yield apis
    apis.stop()


def test_names_are_random_and_only_stored_names_resolve(store):
    a, b = store.put(PNG, MediaKind.PNG), store.put(PNG, MediaKind.PNG)
    assert a != b and a.endswith(".png") and len(a) == 28
    assert store.read(a) == PNG
    assert name_from_url(url_of(a)) == a
    assert name_from_url("https://x.org" + url_of(a)) == a
    for bad in ("../secret.png", "x.png", a.replace(".png", ".exe"), "", a + "/"):
        assert store.path(bad) is None
    assert name_from_url("/chat/media/../../etc/passwd") is None


def test_storage_is_bounded_by_count_and_age(store):
    names = [store.put(PNG, MediaKind.PNG) for _ in range(5)]
    kept = sorted(p.name for p in store.directory.iterdir())
    assert len(kept) == 3 and set(kept) <= set(names)
    old = store.directory / kept[0]
    os.utime(old, (time.time() - 120, time.time() - 120))
    assert store.read(kept[0]) is None  # expired files are not served
    store.prune()
    assert not old.exists()
    with pytest.raises(ValueError):
        store.put(b"0" * 3_000_000, MediaKind.PNG)


def test_public_url_only_with_a_base(monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert public_url("abc.png") is None
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://advisor.example.org/")
    assert public_url("abc.png") == "https://advisor.example.org/chat/media/abc.png"


def _output(fake: FakeApis) -> TelegramOutput:
    settings = TelegramSettings("t0k", "advisor_bot", "", "s", api_url=fake.url)
    return TelegramOutput(BotApi(settings), chat_id=42, reply_to_message_id=7)


async def test_telegram_uploads_a_stored_chart_as_a_photo(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "m"))
    name = MediaStore.from_env().put(PNG, MediaKind.PNG)
    await _output(fake).send_image_url("tg-42", url_of(name), alt="Your CK: 228")
    [call] = fake.sent("/sendPhoto")
    assert call.body["chat_id"] == "42" and call.body["caption"] == "Your CK: 228"
    assert call.body["photo"]["bytes"] == PNG
    assert '"message_id": 7' in call.body["reply_parameters"]


async def test_telegram_sends_the_calendar_as_a_document(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "m"))
    name = MediaStore.from_env().put(b"BEGIN:VCALENDAR\r\n", MediaKind.ICS)
    attachment = {"type": "file", "payload": {"src": url_of(name), "name": "plan.ics"}}
    await _output(fake).send_attachment("tg-42", attachment)
    [call] = fake.sent("/sendDocument")
    assert call.body["document"] == {"filename": "plan.ics", "bytes": b"BEGIN:VCALENDAR\r\n"}


async def test_telegram_ignores_files_it_does_not_hold(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "m"))
    await _output(fake).send_attachment("tg-42", {"payload": {"src": "/etc/passwd"}})
    assert fake.sent("/sendDocument") == []
