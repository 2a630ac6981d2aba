"""What one user message costs a Rasa server (issue #20): CPU time, policy predictions and
action-server calls.

- CPU: user + system time of the Rasa process tree across a load slice, divided by the
  messages answered in it. The bots take the load in turns, so the idle one adds nothing.
- Predictions: Rasa predicts one action at a time until it predicts ``action_listen``; the
  actions logged after each user message in a tracker are that message's predictions.
- Action calls: the action server's own count (img_deploy.action_server, ``/stats``), so
  form validations, which leave no event of their own, are counted too.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from img_deploy.action_server import SECRET_HEADER, STATS_PATH
from img_deploy.processes import Server, base_env

TRACKER_SAMPLE = 20  # conversations read per load level for the predictions count


@dataclass(frozen=True)
class Snapshot:
    cpu_s: float
    action_calls: int


@dataclass
class WorkMeter:
    """Reads the counters of one bot: its Rasa server and, for ours, the action server."""

    rasa: Server
    base_url: str
    token: str
    action_server: Server | None = None
    conversation_id: Callable[[str], str] = str

    def snapshot(self) -> Snapshot:
        return Snapshot(self.rasa.cpu_seconds(), self._action_calls())

    def _action_calls(self) -> int:
        if self.action_server is None:
            return 0
        url = self.action_server.ready_url.rsplit("/health", 1)[0] + STATS_PATH
        secret = base_env()["ACTION_SERVER_SECRET"]
        request = urllib.request.Request(url, headers={SECRET_HEADER: secret})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return int(json.loads(reply.read())["total"])

    def predictions_per_message(self, senders: Iterable[str]) -> float | None:
        """Mean actions predicted per user message over a sample of conversations."""
        predictions = messages = 0
        for sender in list(senders)[:TRACKER_SAMPLE]:
            counted = predictions_after_user_messages(self._events(sender))
            predictions += counted[0]
            messages += counted[1]
        return round(predictions / messages, 2) if messages else None

    def _events(self, sender: str) -> list[dict[str, Any]]:
        conversation = urllib.parse.quote(self.conversation_id(sender), safe=":")
        url = f"{self.base_url}/conversations/{conversation}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=60) as reply:
            return json.loads(reply.read()).get("events") or []


def predictions_after_user_messages(events: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """(actions logged after user messages, user messages) in one tracker's events."""
    predictions = messages = 0
    after_user = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            messages += 1
            after_user = True
        elif kind == "action" and after_user:
            predictions += 1
            after_user = event.get("name") != "action_listen"
    return predictions, messages
