"""Two `rasa run` instances on one PostgreSQL tracker store and a Redis lock store,
behind nginx: one conversation's turns sent alternately through both instances."""

from __future__ import annotations

import concurrent.futures
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from img_channels import notices
from img_deploy.cluster import Cluster
from img_deploy.postgres import stored_rest_texts
from img_deploy.processes import rest_headers

pytestmark = pytest.mark.e2e

DATABASE = "img_e2e_cluster"
TOKEN = "cluster-test-token"
RATE_LIMIT = 30  # per conversation and minute, counted in Redis for both instances


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    saved = dict(os.environ)  # Cluster.scratch points TRACKER_* at its database
    os.environ["IMG_ADVISOR_TODAY"] = "2026-11-23"
    os.environ["RATE_LIMIT_PER_MINUTE"] = str(RATE_LIMIT)
    running = Cluster.scratch(tmp_path_factory.mktemp("cluster"), DATABASE, redis_db=2)
    try:
        yield running.start()
    finally:
        running.stop()
        os.environ.clear()
        os.environ.update(saved)


def say(base_url: str, sender: str, message: str, *, own_token: bool = False) -> str:
    """A REST turn with the integrators' shared token, or with the user's own JWT."""
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers=rest_headers(sender if own_token else None),
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return "\n".join(m.get("text", "") for m in json.loads(response.read()))


def user_texts(sender: str) -> list[str]:
    return stored_rest_texts(DATABASE).get(sender, [])


def test_turns_alternating_between_instances_keep_state_and_order(cluster):
    first, second = cluster.instance_urls
    turns = [
        (first, "how many peds programs should i apply to", "How did Step 1 go?"),
        (second, "passed step 1 on the first attempt", "Step 2 CK score"),
        (first, "233", "Which visa"),
        (second, "i need a j1", "Pediatrics programs"),
        (first, "why?", "Step 2 CK: 233"),
    ]
    for url, message, expected in turns:
        assert expected in say(url, "cluster-alternating", message), (url, message)
    assert user_texts("cluster-alternating") == [message for _, message, _ in turns]


def test_a_burst_through_both_instances_and_nginx_loses_nothing(cluster):
    sender = "cluster-burst"
    urls = [*cluster.instance_urls, cluster.url]
    messages = [f"my ck is {score}" for score in range(225, 245)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(
            pool.map(lambda i: say(urls[i % 3], sender, messages[i]), range(len(messages)))
        )
    assert all(replies) and not any(notices.ADVICE_UNAVAILABLE in r for r in replies)
    # The Redis lock serialises the turns: every one is stored exactly once.
    assert sorted(user_texts(sender)) == sorted(messages)
    final = say(cluster.url, sender, "what do you know about me")
    stored_last = user_texts(sender)[-2]  # the burst's last processed message
    assert stored_last.removeprefix("my ck is ") in final


def test_the_rate_limit_is_shared_by_both_instances(cluster):
    """Alternating instances, each of which alone saw only half the messages."""
    first, second = cluster.instance_urls
    replies = [
        say((first, second)[i % 2], "cluster-flood", "/greet") for i in range(RATE_LIMIT + 2)
    ]
    assert all(replies[:RATE_LIMIT])
    assert replies[RATE_LIMIT] == notices.RATE_LIMITED
    assert replies[RATE_LIMIT + 1] == ""


def routed_upstreams(cluster: Cluster, after: int, count: int) -> list[str]:
    """The instances nginx sent requests ``after`` .. ``after + count`` to, in order
    (its routing log is flushed every second)."""
    log = cluster.workdir / "routed.log"
    deadline = time.monotonic() + 10
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= after + count or time.monotonic() > deadline:
            return [line.split()[0] for line in lines[after : after + count]]
        time.sleep(0.2)


def test_a_users_own_token_keeps_the_conversation_on_one_instance(cluster):
    time.sleep(1.5)  # earlier tests' requests are in the log
    log = cluster.workdir / "routed.log"
    before = len(log.read_text().splitlines()) if log.exists() else 0
    users, turns = [f"cluster-own-{n}" for n in range(8)], ["hi", "ck 240", "j1"]
    for user in users:
        for message in turns:
            assert say(cluster.url, user, message, own_token=True)
    served = routed_upstreams(cluster, before, len(users) * len(turns))
    by_user = [served[n * len(turns) : (n + 1) * len(turns)] for n in range(len(users))]
    assert all(len(set(instances)) == 1 for instances in by_user), by_user
    assert {instances[0] for instances in by_user} == {
        url.removeprefix("http://") for url in cluster.instance_urls
    }
    assert user_texts("cluster-own-0") == turns


def test_shared_token_requests_are_spread_over_both_instances(cluster):
    time.sleep(1.5)
    log = cluster.workdir / "routed.log"
    before = len(log.read_text().splitlines()) if log.exists() else 0
    for n in range(20):  # random keys: all on one instance once in about 500,000 runs
        assert say(cluster.url, "cluster-shared", f"my ck is {230 + n}")
    assert len(set(routed_upstreams(cluster, before, 20))) == 2


def test_rest_through_nginx_needs_the_token(cluster):
    request = urllib.request.Request(
        f"{cluster.url}/webhooks/rest/webhook",
        data=json.dumps({"sender": "cluster-anonymous", "message": "hi"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 401
