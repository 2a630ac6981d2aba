"""Counting what a message costs: predictions per user message, and the targets report."""

from __future__ import annotations

from bench.run import TARGETS, targets_report
from bench.work import predictions_after_user_messages


def _action(name: str) -> dict[str, str]:
    return {"event": "action", "name": name}


def test_each_user_message_counts_the_actions_until_listening() -> None:
    events = [
        _action("action_session_start"),  # before any user message: not a prediction for one
        {"event": "session_started"},
        _action("action_listen"),
        {"event": "user", "text": "hi"},
        _action("action_extract_profile"),
        {"event": "slot", "name": "step1"},
        _action("utter_greet"),
        _action("action_listen"),
        {"event": "user", "text": "is 232 enough for IM?"},
        _action("action_answer"),
        _action("action_listen"),
        _action("action_listen"),  # an idle listen after the turn ended is not counted
    ]
    assert predictions_after_user_messages(events) == (5, 2)


def test_no_user_message_counts_nothing() -> None:
    assert predictions_after_user_messages([_action("action_session_start")]) == (0, 0)


def _results(ratio: float, cpu: float, calls: float) -> dict:
    load = {"rasa_cpu_ms_per_message": cpu, "action_calls_per_message": calls}
    return {
        "ratios": {"1": {"p50": ratio, "p95": ratio, "messages_per_second": 1 / ratio}},
        "advisor": {"load": {"1": load}},
        "cluster": {
            "one_instance": {"messages_per_second": 10.0},
            "two_instances_nginx": {"messages_per_second": 19.0},
        },
        "training_seconds": {"advisor": 60.0, "reference": 78.0},
    }


def test_the_report_says_which_targets_are_met() -> None:
    lines = targets_report(_results(0.8, 20.0, 1.0), [1])
    assert not [line for line in lines if "NOT met" in line]
    assert any("scale-out (two over one): 1.9" in line for line in lines)

    slow = targets_report(_results(1.2, TARGETS["rasa_cpu_ms_per_message_max"] + 1, 2.5), [1])
    missed = [line.split(":")[0].strip() for line in slow if "NOT met" in line]
    assert missed == [
        "1 users p50 ratio",
        "1 users p95 ratio",
        "1 users throughput ratio",
        "1 users Rasa CPU ms/message",
        "1 users action calls/message",
    ]
