"""Two costs `make bench` checks on the running advisor (issue #15):

- the NLU cost of the longest message the channels accept (``MESSAGE_MAX_CHARS``, 2,000
  characters, typed the way IMGs type): under 200 ms and 50 MB of server memory; and a
  100,000-character message, refused before NLU, answered within 1 s;
- the cost of a turn as a conversation grows: turn 60 at most 1.3x turn 5. Several
  conversations are held side by side, turn by turn, so that the machine's drifting speed
  weighs on both turns alike; the 60th message is the 5th one again (an 11-message cycle).

python -m bench.costs  (starts its own advisor; `make bench` runs it on its advisor)
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from img_channels.guard import DEFAULT_MESSAGE_MAX_CHARS
from img_deploy.processes import START_TIMEOUT_S, Server, rest_headers

TARGETS = {
    "longest_message_nlu_ms": 200,
    "longest_message_memory_mb": 50,
    "huge_message_reply_ms": 1000,
    "turn_60_over_turn_5": 1.3,
}
LONGEST_MESSAGE = (
    "hi, im an IMG from egypt, failed step 1 once then passed, ck 236 first attempt, "
    "graduated 2019, need j1 visa, 4 months usce in IM with 2 LoRs, no research. "
    "is it realistic to apply IM and FM this cycle or should I wait for step 3? "
) * 20
CYCLE = [
    "is 232 enough for IM?",
    "passed step 1 on the first attempt",
    "i need a j1",
    "graduated in 2020",
    "how many programs should i apply to",
    "why?",
    "what if my ck was 245",
    "and for peds?",
    "do i need step 3 for an h1b",
    "what do you know about me",
    "thanks",
]
TURNS = 60
CONVERSATIONS = 5


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[float, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        reply = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, reply


def longest_message(base_url: str, token: str, rasa: Server) -> dict[str, Any]:
    text = LONGEST_MESSAGE[:DEFAULT_MESSAGE_MAX_CHARS]
    parse = f"{base_url}/model/parse?token={token}"
    headers = {"Content-Type": "application/json"}
    _post(parse, {"text": "warm up"}, headers)
    before_mb = rasa.rss_mb()
    times = [_post(parse, {"text": text}, headers)[0] for _ in range(5)]
    grown_mb = round(rasa.rss_mb() - before_mb, 1)
    huge_ms, _ = _post(
        f"{base_url}/webhooks/rest/webhook",
        {"sender": "bench-huge", "message": text * 50},
        rest_headers(),
    )
    return {
        "chars": len(text),
        "nlu_ms_median": round(statistics.median(times), 1),
        "nlu_ms_max": round(max(times), 1),
        "memory_growth_mb": grown_mb,
        "huge_message_chars": len(text) * 50,
        "huge_message_reply_ms": round(huge_ms, 1),
    }


def turn_cost(base_url: str) -> dict[str, Any]:
    url = f"{base_url}/webhooks/rest/webhook"
    headers = rest_headers()
    stamp = int(time.time())
    by_turn: dict[int, list[float]] = {}
    for turn in range(1, TURNS + 1):
        message = CYCLE[(turn - 1) % len(CYCLE)]
        for index in range(CONVERSATIONS):
            sender = f"bench-long-{stamp}-{index}"
            elapsed, _ = _post(url, {"sender": sender, "message": message}, headers)
            by_turn.setdefault(turn, []).append(elapsed)
    assert CYCLE[(TURNS - 1) % len(CYCLE)] == CYCLE[4]  # turn 60 repeats turn 5's message
    turn_5 = statistics.median(by_turn[5])
    turn_60 = statistics.median(by_turn[TURNS])
    first = [statistics.median(by_turn[t]) for t in range(1, 12)]
    last = [statistics.median(by_turn[t]) for t in range(TURNS - 10, TURNS + 1)]
    return {
        "conversations": CONVERSATIONS,
        "turn_5_ms": round(turn_5, 1),
        "turn_60_ms": round(turn_60, 1),
        "turn_60_over_turn_5": round(turn_60 / turn_5, 2),
        "first_cycle_mean_ms": round(statistics.mean(first), 1),
        "last_cycle_mean_ms": round(statistics.mean(last), 1),
    }


def measure(base_url: str, token: str, rasa: Server) -> dict[str, Any]:
    results = {"longest_message": longest_message(base_url, token, rasa)}
    results["turn_cost"] = turn_cost(base_url)
    longest, turns = results["longest_message"], results["turn_cost"]
    results["targets"] = TARGETS
    results["met"] = {
        "longest_message_nlu_ms": longest["nlu_ms_max"] < TARGETS["longest_message_nlu_ms"],
        "longest_message_memory_mb": longest["memory_growth_mb"]
        < TARGETS["longest_message_memory_mb"],
        "huge_message_reply_ms": longest["huge_message_reply_ms"]
        < TARGETS["huge_message_reply_ms"],
        "turn_60_over_turn_5": turns["turn_60_over_turn_5"] <= TARGETS["turn_60_over_turn_5"],
    }
    print(
        f"  longest allowed message ({longest['chars']} chars): NLU {longest['nlu_ms_median']} ms"
        f" median, {longest['nlu_ms_max']} ms max, memory +{longest['memory_growth_mb']} MB;"
        f" a {longest['huge_message_chars']:,}-char message answered in "
        f"{longest['huge_message_reply_ms']} ms\n"
        f"  turn cost: turn 5 {turns['turn_5_ms']} ms, turn 60 {turns['turn_60_ms']} ms "
        f"({turns['turn_60_over_turn_5']}x); mean of the first 11 turns "
        f"{turns['first_cycle_mean_ms']} ms, of the last 11 {turns['last_cycle_mean_ms']} ms\n"
        f"  targets met: {results['met']}",
        flush=True,
    )
    return results


def main() -> None:
    from bench.run import BENCH_TOKEN, start_ours, stop_all

    with tempfile.TemporaryDirectory(prefix="img-costs-") as tmp:
        rasa, actions = start_ours(Path(tmp))
        try:
            rasa.wait_ready(START_TIMEOUT_S * 3)  # a busy machine loads the model slowly
            measure(rasa.ready_url.split("/status")[0], BENCH_TOKEN, rasa)
        finally:
            stop_all(rasa, actions)


if __name__ == "__main__":
    main()
