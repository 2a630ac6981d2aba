"""Concurrent simulated users against a Rasa REST endpoint, with per-message latency."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import aiohttp

from bench.sim import REFERENCE_SCRIPT, Conversation, SimProfile
from img_channels import notices
from img_deploy.processes import rest_headers

# A reply that is one of these means the turn was not really answered.
FAILURE_REPLIES = (notices.ADVICE_UNAVAILABLE, notices.RATE_LIMITED)
REQUEST_TIMEOUT_S = 120


@dataclass
class LoadResult:
    users: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # transport failures and non-200 answers
    unanswered: int = 0  # 200, but no text, or the guard's "unavailable"/"rate limited"
    conversations: int = 0
    # Throughput counts only replies within the load's duration, while every user is still
    # at it: after it, users finish the conversation under way, fewer and fewer of them, and
    # that tail (up to a conversation's length) would weigh on short slices and on whatever
    # needs many users to be kept busy, such as two instances.
    steady_messages: int = 0
    steady_seconds: float = 0.0
    senders: list[str] = field(default_factory=list)  # one per conversation, for its tracker
    error_samples: list[str] = field(default_factory=list)

    def add(self, other: LoadResult) -> None:
        """Pool another slice of the same load level into this one."""
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.steady_messages += other.steady_messages
        self.steady_seconds += other.steady_seconds
        self.errors += other.errors
        self.unanswered += other.unanswered
        self.conversations += other.conversations
        self.senders += other.senders
        self.error_samples += other.error_samples

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

        return {
            "users": self.users,
            "messages": len(self.latencies),
            "conversations": self.conversations,
            "errors": self.errors,
            "unanswered": self.unanswered,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "max_ms": round(ordered[-1] * 1000, 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
            "messages_per_second": round(self.steady_messages / self.steady_seconds, 2)
            if self.steady_seconds
            else round(len(self.latencies) / self.seconds, 2),
            "seconds": round(self.seconds, 1),
            "error_samples": self.error_samples[:5],
        }


class RestUser:
    """One simulated user talking to ``base_url`` (or round-robin over several)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_urls: Sequence[str],
        result: LoadResult,
        think_time_s: float = 0.0,
        steady_until: float = float("inf"),
    ) -> None:
        self.session = session
        self.steady_until = steady_until  # time.monotonic() at the load's duration
        self.base_urls = base_urls
        self.result = result
        self.think_time_s = think_time_s  # a pause after each reply, as a reader would
        self._turn = 0

    async def say(self, sender: str, text: str) -> str | None:
        url = self.base_urls[self._turn % len(self.base_urls)] + "/webhooks/rest/webhook"
        self._turn += 1
        headers = self._headers(sender)
        started = time.perf_counter()
        try:
            async with self.session.post(
                url, json={"sender": sender, "message": text}, headers=headers
            ) as reply:
                body = await reply.json(content_type=None)
                ok = reply.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            self._fail(f"{type(error).__name__} on {text!r}")
            return None
        self.result.latencies.append(time.perf_counter() - started)
        if time.monotonic() <= self.steady_until:
            self.result.steady_messages += 1
        said = "\n".join(m.get("text", "") for m in body) if isinstance(body, list) else ""
        if not ok:
            self._fail(f"HTTP {reply.status} on {text!r}")
        elif not said or any(failure in said for failure in FAILURE_REPLIES):
            self.result.unanswered += 1
            self.result.error_samples.append(f"unanswered {text!r}: {said[:80]!r}")
        if self.think_time_s:
            await asyncio.sleep(self.think_time_s)
        return said

    @staticmethod
    @lru_cache(maxsize=256)
    def _headers(sender: str) -> dict[str, str]:
        # Minted once per conversation, not per message: a real client keeps its token.
        return rest_headers(sender)

    def _fail(self, sample: str) -> None:
        self.result.errors += 1
        self.result.error_samples.append(sample)


async def converse(user: RestUser, sender: str, conversation: Conversation) -> None:
    replies = ""
    while (message := conversation.next_message(replies)) is not None:
        said = await user.say(sender, message)
        replies = said or ""


async def scripted(user: RestUser, sender: str, script: Sequence[str] = REFERENCE_SCRIPT) -> None:
    for message in script:
        await user.say(sender, message)


ConversationFactory = Callable[[int, int], Conversation | None]


async def run_load(
    base_urls: Sequence[str],
    users: int,
    duration_s: float,
    profiles: Sequence[SimProfile] | None,
    think_time_s: float = 0.0,
    label: str = "u",
) -> tuple[LoadResult, dict[str, Conversation]]:
    """``users`` closed-loop users, each starting conversation after conversation until
    ``duration_s`` has passed (the one under way is finished), pausing ``think_time_s``
    after each reply. With ``profiles`` the users converse (our bot); without, they follow
    the reference script."""
    result = LoadResult(users=users, seconds=0.0)
    finished: dict[str, Conversation] = {}
    deadline = time.monotonic() + duration_s
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=0)

    async def one_user(index: int) -> None:
        user = RestUser(session, base_urls, result, think_time_s, steady_until=deadline)
        round_ = 0
        while time.monotonic() < deadline:
            sender = f"{label}{index}-r{round_}"
            if profiles is None:
                await scripted(user, sender)
            else:
                conversation = Conversation(profiles[index % len(profiles)])
                await converse(user, sender, conversation)
                finished[sender] = conversation
            result.conversations += 1
            result.senders.append(sender)
            round_ += 1

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.monotonic()
        await asyncio.gather(*(one_user(i) for i in range(users)))
        result.seconds = time.monotonic() - started
        result.steady_seconds = deadline - started
    return result, finished
