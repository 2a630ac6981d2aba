"""Starts the real action server and Rasa server (REST + HTTP API) for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.fake_apis import FakeApis

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "models" / "advisor.tar.gz"
TOKEN = "e2e-test-token"
TELEGRAM_TOKEN = "123456:e2e-telegram-token"
TELEGRAM_SECRET = "e2e-telegram-secret"
TELEGRAM_BOT = "img_advisor_test_bot"
TWILIO_SID = "AC00000000000000000000000000000000"
TWILIO_TOKEN = "e2e-twilio-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
START_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(
        f"{url} did not answer in {START_TIMEOUT_S}s; log:\n{log.read_text()[-3000:]}"
    )


@dataclass
class RasaStack:
    base_url: str
    database: Path
    start_rasa: Callable[[], subprocess.Popen]
    rasa: subprocess.Popen
    rasa_log: Path
    action_log: Path
    fake_apis: FakeApis

    def restart_rasa(self) -> None:
        """Stop and start the Rasa server (the action server keeps running)."""
        self.rasa.terminate()
        self.rasa.wait(timeout=30)
        self.rasa = self.start_rasa()
        wait_for(f"{self.base_url}/status?token={TOKEN}", self.rasa, self.rasa_log)

    def rows(self, sql: str, *params: object) -> int:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchone()[0]

    def say(self, sender: str, text: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

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


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} missing: run `make train` first (make test does)")
    workdir = tmp_path_factory.mktemp("e2e")
    action_port, rasa_port = free_port(), free_port()
    fake_apis = FakeApis().start()
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "IMG_ADVISOR_TODAY": "2026-11-23",
        "ACTION_HOST": "127.0.0.1",
        "ACTION_PORT": str(action_port),
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
        "TWILIO_WEBHOOK_URL": f"http://127.0.0.1:{rasa_port}/webhooks/whatsapp/webhook",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "-m", "img_store", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=action_log.open("w"),
        stderr=subprocess.STDOUT,
    )

    def start_rasa() -> subprocess.Popen:
        return subprocess.Popen(
            [
                str(bin_dir / "rasa"),
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--enable-api",
                "--auth-token",
                TOKEN,
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=rasa_log.open("a"),
            stderr=subprocess.STDOUT,
        )

    stack = RasaStack(
        f"http://127.0.0.1:{rasa_port}",
        workdir / "tracker.db",
        start_rasa,
        start_rasa(),
        rasa_log,
        action_log,
        fake_apis,
    )
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_for(f"http://127.0.0.1:{rasa_port}/status?token={TOKEN}", stack.rasa, rasa_log)
        yield stack
    finally:
        fake_apis.stop()
        for process in (stack.rasa, actions):
            process.terminate()
        for process in (stack.rasa, actions):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
