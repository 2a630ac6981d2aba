"""The action server as a real process: the secret on every call, and the call counter."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from img_deploy.action_server import SECRET_HEADER, STATS_PATH
from img_deploy.processes import Server, base_env, free_port, start_action_server

SECRET = "test-action-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    log = Path(tmp_path_factory.mktemp("actions")) / "actions.log"
    port = free_port()
    process = start_action_server(port, base_env(ACTION_SERVER_SECRET=SECRET), log)
    try:
        process.wait_ready()
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.stop()


def _call(url: str, body: dict | None = None, secret: str | None = SECRET) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({SECRET_HEADER: secret} if secret else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_calls_are_counted_per_action_and_only_with_the_secret(
    server: tuple[Server, str],
) -> None:
    _, url = server
    status, before = _call(url + STATS_PATH)
    assert status == 200
    call = {"next_action": "action_that_does_not_exist", "tracker": {}, "domain": {}}
    assert _call(url + "/webhook", call, secret="wrong")[0] == 403
    assert _call(url + "/webhook", call)[0] == 404  # rasa_sdk: no such action
    status, after = _call(url + STATS_PATH)
    assert after["total"] == before["total"] + 1
    assert after["calls"]["action_that_does_not_exist"] == 1


def test_the_counts_are_behind_the_secret(server: tuple[Server, str]) -> None:
    _, url = server
    assert _call(url + STATS_PATH, secret=None)[0] == 403


def test_cpu_time_is_read_for_the_process_tree(server: tuple[Server, str]) -> None:
    process, _ = server
    assert process.cpu_seconds() > 0  # importing the actions alone takes CPU time
