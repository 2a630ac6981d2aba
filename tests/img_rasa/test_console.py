"""The project's console, driven through a pseudo-terminal as a person types: a bare
``.venv/bin/rasa shell`` (what ``make chat`` runs) against the real action server."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from img_deploy.processes import BIN, ROOT, free_port, start_action_server
from img_rasa.console import CHOOSE_HINT, GREETING, PROMPT, chat, render
from tests.e2e.conftest import ACTION_SECRET, MODEL, START_TIMEOUT_S


def test_buttons_print_as_numbered_options_after_the_text():
    text, buttons = render(
        [
            {"text": "Which visa?"},
            {"text": "Pick one", "buttons": [{"title": "J-1", "payload": "I need a J1"}]},
        ]
    )
    assert text.splitlines() == [
        "Bot: Which visa?",
        "Bot: Pick one",
        "  1. J-1",
        f"  {CHOOSE_HINT}",
    ]
    assert buttons == [{"title": "J-1", "payload": "I need a J1"}]
    assert render([{"text": "Noted."}]) == ("Bot: Noted.", [])


async def test_free_text_after_buttons_is_sent_as_typed_and_2_sends_the_second_payload():
    """The console's loop against a scripted server (no model): what it posts, and shows."""
    options = [
        {"title": "Yes, remember", "payload": "/affirm"},
        {"title": "No thanks", "payload": "/deny"},
    ]
    received: list[dict] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append(await request.json())
        # Every reply offers the two options, as the consent question does.
        return web.json_response([{"text": f"got {len(received)}", "buttons": options}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    typed = iter(["how many programs", "failed S1 once, CK 228. can I match?", "2", "7", "/stop"])
    out = io.StringIO()
    try:
        url = f"http://127.0.0.1:{port}"
        sent = await chat("console-user", url, read=lambda _: next(typed), out=out)
    finally:
        await runner.cleanup()
    assert sent == 4
    assert [m["message"] for m in received] == [
        "how many programs",
        "failed S1 once, CK 228. can I match?",  # free text while options show: as typed
        "/deny",  # "2": the second option's payload
        "7",  # no seventh option: sent as typed
    ]
    assert {m["sender"] for m in received} == {"console-user"}
    assert "  2. No thanks" in out.getvalue() and f"  {CHOOSE_HINT}" in out.getvalue()


class Terminal:
    """A process on a pseudo-terminal; reads what a person would see."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the shell, as typed in a terminal
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        self.screen = ""

    def read_until(self, pattern: str, timeout: float) -> str:
        """Everything shown since the last call, up to and including ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.screen)
            if match:
                shown, self.screen = self.screen[: match.end()], self.screen[match.end() :]
                return shown
            ready, _, _ = select.select([self.fd], [], [], 1)
            if ready:
                try:
                    self.screen += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # the process ended
                    break
        raise AssertionError(f"{pattern!r} not shown within {timeout} s; shown:\n{self.screen}")

    def type(self, line: str) -> str:
        """Type a line, return what the bot answered up to the next prompt."""
        os.write(self.fd, line.encode() + b"\r")
        return self.read_until(re.escape(PROMPT), 300)

    def close(self) -> int:
        os.write(self.fd, b"\x04")  # Ctrl-D leaves
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.5)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return -9


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("console")
    env = {
        **os.environ,
        "TERM": "xterm",
        "COLUMNS": "160",
        "IMG_ADVISOR_TODAY": "2026-11-23",
        "ACTION_HOST": "127.0.0.1",
        "SANIC_HOST": "127.0.0.1",
        "TRACKER_DIALECT": "sqlite",
        "TRACKER_DB": str(workdir / "tracker.db"),
        "IMG_WARNINGS_LOG": str(workdir / "warnings.log"),
        "ACTION_SERVER_SECRET": ACTION_SECRET,  # endpoints.yml sends it on every call
    }
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as in a fresh terminal: the command sets it
    subprocess.run([sys.executable, "-m", "img_store", "migrate"], cwd=ROOT, env=env, check=True)
    action_port = free_port()
    env.update(ACTION_PORT=str(action_port))
    actions = start_action_server(action_port, env, workdir / "actions.log")
    actions.wait_ready(START_TIMEOUT_S)
    argv = [str(BIN / "rasa"), "shell", "--model", str(MODEL), "--endpoints", "endpoints.yml"]
    terminal = Terminal([*argv, "--port", str(free_port())], env, ROOT)
    try:
        terminal.first_screen = terminal.read_until(re.escape(PROMPT), START_TIMEOUT_S)
        terminal.warnings_log = workdir / "warnings.log"
        yield terminal
    finally:
        terminal.close()
        actions.stop()


@pytest.mark.e2e
def test_the_first_screen_has_no_warning_and_says_how_to_use_it(shell):
    first = shell.first_screen
    assert GREETING in first
    assert not re.search(r"warning|deprecat|tensorflow|INFO", first, re.IGNORECASE), first
    assert shell.warnings_log.read_text().strip()  # the warnings went to the log file


@pytest.mark.e2e
def test_free_text_after_buttons_is_answered_and_2_picks(shell):
    asked = shell.type("how many programs should I apply to")
    assert "Which specialty are you aiming for?" in asked
    assert "  1. Internal Medicine" in asked and "  2. Pediatrics" in asked
    assert "Type out your own message" not in asked  # Rasa's picker is gone
    # Free text while options are shown is sent as typed, facts, question and all.
    answer = shell.type("failed S1 once, CK 228, need J1, peds. can I match?")
    assert "Pediatrics" in answer and "programs" in answer
    assert "  1. Yes, remember" in answer and "  2. No thanks" in answer
    assert "won't keep your details" in shell.type("2")  # the second option: "No thanks"
