"""Faults with real processes: the action server stopped or hung, PostgreSQL cut off
mid-run (through a proxy, so the shared server keeps running), and the rate limit."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import pytest

from img_channels import notices
from img_deploy.postgres import fresh_database, stored_rest_texts
from tests.conversations.runner import conversation_id as rest_conversation_id
from tests.e2e.conftest import ROOT, RasaStack, free_port, stack_env
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

DATABASE = "img_e2e_faults"
REPLY_TIMEOUT_S = 8


@pytest.fixture(scope="module")
def proxy() -> Iterator[TcpProxy]:
    fresh_database(DATABASE)
    proxy = TcpProxy("127.0.0.1", 5432).start()
    yield proxy
    proxy.cut()


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory, fake_apis, proxy) -> Iterator[RasaStack]:
    workdir = tmp_path_factory.mktemp("faults")
    env = stack_env(
        workdir,
        fake_apis,
        TRACKER_DIALECT="postgresql",
        TRACKER_HOST="127.0.0.1",
        TRACKER_PORT=str(proxy.port),  # PostgreSQL through the proxy a test can cut
        TRACKER_DB=DATABASE,
        TRACKER_USER="postgres",
        REPLY_TIMEOUT_S=str(REPLY_TIMEOUT_S),
        RATE_LIMIT_PER_MINUTE="8",
    )
    stack = RasaStack(workdir, env, fake_apis)
    try:
        yield stack.start()
    finally:
        stack.close()


def test_action_server_down_gets_a_reply_and_the_conversation_resumes(pg_stack):
    sender = "fault-actions-down"
    assert "Step 1" in pg_stack.said(sender, "how many peds programs should i apply to")
    pg_stack.stop_actions()
    try:
        assert pg_stack.said(sender, "passed step 1 on the first attempt") == (
            notices.ADVICE_UNAVAILABLE
        )
    finally:
        pg_stack.start_actions()
    # The question is still pending; the lost answer is simply given again.
    assert "Step 2 CK" in pg_stack.said(sender, "passed step 1 on the first attempt")
    pg_stack.say(sender, "233")
    assert "Pediatrics programs" in pg_stack.said(sender, "i need a j1")


def test_hung_action_server_gets_a_reply_within_the_timeout(pg_stack):
    sender = "fault-actions-hung"
    assert "Step 1" in pg_stack.said(sender, "how many IM programs should i apply to")
    pg_stack.pause_actions()
    try:
        started = time.monotonic()
        reply = pg_stack.said(sender, "passed step 1 on the first attempt")
        waited = time.monotonic() - started
    finally:
        pg_stack.resume_actions()
    assert reply == notices.ADVICE_UNAVAILABLE
    assert waited < REPLY_TIMEOUT_S + 10
    assert "Step 2 CK" in pg_stack.said(sender, "passed step 1 on the first attempt")


def test_database_cut_mid_run_is_told_the_conversation_goes_on_and_catches_up(pg_stack, proxy):
    sender = "fault-db-cut"
    assert "Step 1" in pg_stack.said(sender, "how many peds programs should i apply to")
    proxy.cut()
    try:
        during = pg_stack.said(sender, "passed step 1 on the first attempt")
        assert notices.SAVE_FAILED in during
        assert "Step 2 CK" in during  # the form went on
        assert notices.SAVE_FAILED not in pg_stack.said(sender, "233")  # told once
    finally:
        proxy.restore()
    assert "Pediatrics programs" in pg_stack.said(sender, "i need a j1")
    assert stored_rest_texts(DATABASE)[sender] == [
        "how many peds programs should i apply to",
        "passed step 1 on the first attempt",
        "233",
        "i need a j1",
    ]


def test_rate_limit_answers_politely_and_once(pg_stack):
    sender = "fault-flood"
    replies = [pg_stack.say(sender, "is 228 enough for IM?") for _ in range(11)]
    texts = ["\n".join(r.get("text", "") for r in batch) for batch in replies]
    assert all(notices.RATE_LIMITED not in t and t for t in texts[:8])
    assert texts[8] == notices.RATE_LIMITED
    assert replies[9] == replies[10] == []
    events = pg_stack.tracker(rest_conversation_id(sender))["events"]
    assert sum(event["event"] == "user" for event in events) == 8


def test_unreachable_database_at_start_up_is_a_clear_error_without_the_password():
    """What `make serve` / `make chat` run first; nothing else is started."""
    closed_port = str(free_port())
    env = {
        **os.environ,
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_HOST": "127.0.0.1",
        "TRACKER_PORT": closed_port,
        "TRACKER_DB": "advisor",
        "TRACKER_USER": "rasa",
        "TRACKER_PASSWORD": "s3cret-pw",
        "ACTION_PORT": str(free_port()),
    }
    result = subprocess.run(
        ["scripts/with-action-server.sh", "true"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"cannot reach the database postgresql://rasa:***@127.0.0.1:{closed_port}/advisor" in (
        result.stderr
    )
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "action server ready" not in result.stdout
