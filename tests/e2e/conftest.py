"""Starts the real action server and Rasa server (every channel + HTTP API) for
end-to-end tests; Telegram, Twilio and the WhatsApp Cloud API point at a fake API server
on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from img_deploy.processes import Server, free_port, start_action_server, start_rasa
from tests.e2e.fake_apis import FakeApis
from tests.e2e.known_gaps import mark_known_gaps

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "models" / "advisor.tar.gz"
TOKEN = "e2e-test-token"
TELEGRAM_TOKEN = "123456:e2e-telegram-token"
TELEGRAM_SECRET = "e2e-telegram-secret"
TELEGRAM_BOT = "img_advisor_test_bot"
TWILIO_SID = "AC00000000000000000000000000000000"
TWILIO_TOKEN = "e2e-twilio-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
WHATSAPP_NUMBER = "15550001234"
WHATSAPP_APP_SECRET = "e2e-whatsapp-app-secret"
WHATSAPP_VERIFY_TOKEN = "e2e-whatsapp-verify-token"
WEB_ORIGIN = "http://allowed.example"
# Loading a model takes ~30 s alone but several minutes on a busy shared 2-core machine.
START_TIMEOUT_S = 600
ACTION_SECRET = "e2e-action-server-secret"


@dataclass
class RasaStack:
    """One action server and one Rasa server with their own database and ports."""

    workdir: Path
    env: dict[str, str]
    fake_apis: FakeApis
    database: Path | None = None
    action_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    rasa: Server | None = None
    actions: Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_log(self) -> Path:
        return self.workdir / "rasa.log"

    @property
    def action_log(self) -> Path:
        return self.workdir / "actions.log"

    def start(self) -> RasaStack:
        self.env.update(
            ACTION_PORT=str(self.action_port),
            TWILIO_WEBHOOK_URL=f"{self.base_url}/webhooks/whatsapp/webhook",
        )
        subprocess.run(
            [sys.executable, "-m", "img_store", "migrate"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.start_actions()
        self.start_rasa()
        return self

    def start_actions(self) -> None:
        self.actions = start_action_server(self.action_port, self.env, self.action_log)
        self.actions.wait_ready(START_TIMEOUT_S)

    def stop_actions(self) -> None:
        assert self.actions is not None
        self.actions.stop()

    def pause_actions(self) -> None:
        """SIGSTOP: the port stays open but nothing answers (a hung action server)."""
        assert self.actions is not None
        self.actions.process.send_signal(signal.SIGSTOP)

    def resume_actions(self) -> None:
        assert self.actions is not None
        self.actions.process.send_signal(signal.SIGCONT)

    def start_rasa(self) -> None:
        self.rasa = start_rasa(
            self.rasa_port,
            self.env,
            self.rasa_log,
            model=MODEL,
            endpoints=ROOT / "endpoints.yml",
            credentials=ROOT / "credentials.yml",
            token=TOKEN,
            cors=WEB_ORIGIN,  # as `make serve` passes WEB_ORIGIN
        )
        self.rasa.wait_ready(START_TIMEOUT_S)

    def restart_rasa(self) -> None:
        """Stop and start the Rasa server (the action server keeps running)."""
        assert self.rasa is not None
        self.rasa.stop()
        self.start_rasa()

    def close(self) -> None:
        for server in (self.rasa, self.actions):
            if server is not None:
                server.stop()

    def rows(self, sql: str, *params: object) -> int:
        assert self.database is not None
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchone()[0]

    def say(self, sender: str, text: str, timeout: float = 60) -> list[dict]:
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    @staticmethod
    def answered(replies: list[dict]) -> set[str]:
        """The question ids (``img_strategy.Question`` values) the replies answer."""
        return {r["metadata"]["question"] for r in replies if "question" in r.get("metadata", {})}

    def said(self, sender: str, text: str) -> str:
        """Everything the bot answered to one message, as one text."""
        return "\n".join(reply.get("text", "") for reply in self.say(sender, text))

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(f"{self.base_url}{path}", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def get(self, path: str, token: str | None = None) -> int:
        url = f"{self.base_url}{path}" + (f"?token={token}" if token else "")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def tracker(self, conversation: str) -> dict:
        """The tracker of a conversation (for REST: runner.conversation_id(sender))."""
        url = f"{self.base_url}/conversations/{conversation}/tracker?token={TOKEN}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())


def stack_env(workdir: Path, fake_apis: FakeApis, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "IMG_ADVISOR_TODAY": "2026-11-23",
        "ACTION_HOST": "127.0.0.1",
        "SANIC_HOST": "127.0.0.1",
        "TRACKER_DIALECT": "sqlite",
        "TRACKER_DB": str(workdir / "tracker.db"),
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_BOT_USERNAME": TELEGRAM_BOT,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": fake_apis.url,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": fake_apis.url,
        "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
        "WHATSAPP_ACCESS_TOKEN": "e2e-whatsapp-access-token",
        "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY_TOKEN,
        "WHATSAPP_NUMBER": f"+{WHATSAPP_NUMBER}",
        "WHATSAPP_GRAPH_URL": f"{fake_apis.url}/v26.0",
        "WEB_ORIGIN": WEB_ORIGIN,
        "ACTION_SERVER_SECRET": ACTION_SECRET,
        "MEDIA_DIR": str(workdir / "media"),  # charts and calendars, shared by both servers
        **overrides,
    }


@pytest.fixture(scope="session")
def fake_apis() -> Iterator[FakeApis]:
    apis = FakeApis().start()
    yield apis
    apis.stop()


@pytest.fixture(scope="session")
def rasa_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_apis: FakeApis
) -> Iterator[RasaStack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} missing: run `make train` first (make test does)")
    workdir = tmp_path_factory.mktemp("e2e")
    stack = RasaStack(workdir, stack_env(workdir, fake_apis), fake_apis, workdir / "tracker.db")
    try:
        yield stack.start()
    finally:
        stack.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_known_gaps(items)
