"""Two `rasa run` instances on one PostgreSQL tracker store and a Redis lock store,
behind nginx: one conversation's turns sent alternately through both instances."""

from __future__ import annotations

import concurrent.futures
import json
import os
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


def say(base_url: str, sender: str, message: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers=rest_headers(),
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


def test_rest_through_nginx_needs_the_token(cluster):
    request = urllib.request.Request(
        f"{cluster.url}/webhooks/rest/webhook",
        data=json.dumps({"sender": "cluster-anonymous", "message": "hi"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 401
