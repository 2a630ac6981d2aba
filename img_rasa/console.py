"""The project's console channel: what ``rasa shell`` (and so ``make chat``) shows.

Rasa's shell shows a picker after every reply with buttons; whatever is typed goes into
the picker, so "failed S1 once, CK 228, need J1, peds. can I match?" is lost and a button
is chosen instead, and in a wide terminal the picker overwrites the bot's text. Here
buttons print as numbered options (``img_channels.choices``, the same numbering as on
WhatsApp), a number picks one, and any other text is sent as typed. The user's side talks
to the server's ``cmdline`` channel, which passes through the same ``TurnGuard`` as every
other channel.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any, TextIO

import aiohttp

from img_channels.choices import Button, chosen_payload, option_lines
from img_channels.rest import GuardedRestInput
from img_store.conversation import Channel

PROMPT = "You: "
GREETING = (
    "Type your question or your facts, the way you'd tell a friend. When the bot offers "
    "numbered options, type a number to pick one, or type anything else. "
    "/restart starts over; Ctrl-D leaves."
)
CHOOSE_HINT = "(type a number to choose, or your own message)"
STOP = "/stop"  # Rasa's own shell command to leave


class ConsoleInput(GuardedRestInput):
    """The server side of the console: Rasa's ``cmdline`` channel, guarded like REST."""

    channel = Channel.SHELL

    def url_prefix(self) -> str:
        return "rest"  # where Rasa's shell posts, as Rasa's own CmdlineInput


def render(messages: list[dict[str, Any]]) -> tuple[str, list[Button]]:
    """What the bot said, as terminal text, and the buttons a number now picks."""
    lines: list[str] = []
    buttons: list[Button] = []
    for message in messages:
        if message.get("text"):
            lines.append(f"Bot: {message['text']}")
        if message.get("image"):
            lines.append(f"Bot: {message['image']}")
        if message.get("buttons"):
            buttons = list(message["buttons"])
            lines += ["  " + line for line in option_lines(buttons)]
            lines.append("  " + CHOOSE_HINT)
    return "\n".join(lines), buttons


async def chat(
    sender_id: str,
    server_url: str,
    *,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
    request_timeout: float | None = None,
) -> int:
    """Read lines, send them (or the payload of the option a number picks), print the
    replies, until end of input or /stop. Returns the number of messages sent."""
    loop = asyncio.get_running_loop()
    print(GREETING, file=out, flush=True)
    url = f"{server_url}/webhooks/rest/webhook"
    timeout = aiohttp.ClientTimeout(total=request_timeout or 300)
    buttons: list[Button] = []
    sent = 0
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            try:
                typed = await loop.run_in_executor(None, read, PROMPT)
            except (EOFError, KeyboardInterrupt):
                print(file=out, flush=True)
                return sent
            typed = typed.strip()
            if typed == STOP:
                return sent
            if not typed:
                continue
            message = chosen_payload(typed, buttons) or typed
            async with session.post(url, json={"sender": sender_id, "message": message}) as r:
                replies = await r.json() if r.status == 200 else []
            sent += 1
            text, buttons = render(replies)
            print(text or "Bot: (no reply)", file=out, flush=True)


async def record_messages(
    sender_id: str,
    server_url: str = "http://localhost:5005",
    auth_token: str = "",
    max_message_limit: int | None = None,
    use_response_stream: bool = True,
    request_timeout: int | None = None,
) -> int:
    """Stands in for ``rasa.core.channels.console.record_messages`` (same signature),
    which ``rasa shell`` calls once the server is up."""
    await asyncio.sleep(0.5)  # as Rasa's: let the server start listening
    return await chat(sender_id, server_url, request_timeout=request_timeout)
