"""The server's surface: token-protected API, CORS, loopback-only action server, and
logs that keep users' facts and secrets out."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import (
    ROOT,
    TELEGRAM_TOKEN,
    TOKEN,
    TWILIO_TOKEN,
    WEB_ORIGIN,
    free_port,
)

pytestmark = pytest.mark.e2e


def request(stack, path: str, origin: str | None = None, method: str = "GET"):
    headers = {"Origin": origin} if origin else {}
    req = urllib.request.Request(f"{stack.base_url}{path}", headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/status"),
        ("GET", "/domain"),
        ("GET", "/conversations/anyone/tracker"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
        ("DELETE", "/model"),
    ],
)
def test_http_api_needs_the_token(rasa_stack, method, path):
    assert request(rasa_stack, path, method=method)[0] == 401


def test_cors_allows_only_the_configured_origin(rasa_stack):
    _, allowed = request(rasa_stack, f"/status?token={TOKEN}", origin=WEB_ORIGIN)
    assert allowed.get("Access-Control-Allow-Origin") == WEB_ORIGIN
    _, other = request(rasa_stack, f"/status?token={TOKEN}", origin="http://evil.example")
    assert other.get("Access-Control-Allow-Origin") in (None, "")


def test_web_socket_accepts_its_own_page_and_the_web_origin_only(rasa_stack):
    handshake = "/socket.io/?EIO=4&transport=polling"
    assert request(rasa_stack, handshake, origin="http://evil.example")[0] == 400
    assert request(rasa_stack, handshake, origin=WEB_ORIGIN)[0] == 200
    assert request(rasa_stack, handshake, origin=rasa_stack.base_url)[0] == 200


def test_action_server_listens_on_loopback_by_default(tmp_path):
    """The script `make chat`/`make serve` use, with nothing set but a port."""
    outside = socket.gethostbyname(socket.gethostname())
    if outside.startswith("127."):
        outside = subprocess.run(
            ["hostname", "-I"], capture_output=True, text=True, check=True
        ).stdout.split()[0]
    port = free_port()
    env = {
        **os.environ,
        "ACTION_PORT": str(port),
        "TRACKER_DIALECT": "sqlite",
        "TRACKER_DB": str(tmp_path / "t.db"),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    env.pop("ACTION_HOST", None)
    env.pop("SANIC_HOST", None)
    subprocess.run([sys.executable, "-m", "img_store", "migrate"], env=env, check=True, cwd=ROOT)
    probe = (
        "import socket, sys\n"
        f"socket.create_connection(('127.0.0.1', {port}), 2).close()\n"
        "try:\n"
        f"    socket.create_connection(('{outside}', {port}), 2).close()\n"
        "except OSError:\n"
        "    sys.exit(0)\n"
        "sys.exit(3)\n"
    )
    result = subprocess.run(
        ["scripts/with-action-server.sh", sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_logs_hold_no_user_facts_message_text_or_secrets(rasa_stack):
    sender = "e2e-log-canary"
    rasa_stack.say(sender, "zebracanary: failed step 1 twice, my ck is 237, I need an h1b")
    rasa_stack.say(sender, "how many programs for neurology?")
    logs = rasa_stack.rasa_log.read_text() + rasa_stack.action_log.read_text()
    assert "rasa" in logs  # the servers did log
    assert "zebracanary" not in logs
    assert not re.search(r"\b237\b", logs)
    assert "h1b" not in logs.lower() and "H-1B" not in logs
    for secret in (TOKEN, TELEGRAM_TOKEN, TWILIO_TOKEN):
        assert secret not in logs


def test_no_secrets_in_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    patterns = [
        re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b"),  # Telegram bot token
        re.compile(r"\bAC(?!0{32})[0-9a-f]{32}\b"),  # a real Twilio account SID
        re.compile(r"\bSK[0-9a-f]{32}\b"),  # Twilio API key
    ]
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".png", ".gz"} or not path.is_file():
            continue
        content = path.read_text(errors="ignore")
        for pattern in patterns:
            assert not pattern.search(content), f"{name} looks like it holds a secret"
