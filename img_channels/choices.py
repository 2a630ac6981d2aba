"""Buttons on channels without buttons: numbered options, and a typed number back to the
chosen button's payload. Shared by WhatsApp and the console, so "2" means the same
everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, UserUttered

Button = dict[str, Any]

REPLY_HINT = "Reply with a number to choose."


def option_lines(buttons: Sequence[Button]) -> list[str]:
    """``1. Title``, ``2. Title``, ... one line per button."""
    return [f"{number}. {button['title']}" for number, button in enumerate(buttons, 1)]


def numbered_options(text: str, buttons: Sequence[Button], hint: str = REPLY_HINT) -> str:
    """The message with its buttons as a numbered list and a hint how to choose."""
    return "\n".join([text.strip(), "", *option_lines(buttons), hint])


def chosen_payload(text: str, buttons: Sequence[Button]) -> str | None:
    """The payload of the option a reply like "2" or "2." picks; None for anything else,
    which is then sent as typed."""
    choice = text.strip().rstrip(".)")
    if not choice.isascii() or not choice.isdigit():
        return None
    number = int(choice)
    if 1 <= number <= len(buttons):
        return str(buttons[number - 1].get("payload", buttons[number - 1]["title"]))
    return None


async def last_buttons(tracker_store: TrackerStore, sender_id: str) -> list[Button]:
    """The buttons the bot offered in its latest turn to this sender, from the tracker store
    (so a number picks the right option after a restart and on any instance). A message
    sent after the buttons in the same turn, such as a chart, does not hide them."""
    tracker = await tracker_store.retrieve(sender_id)
    if tracker is None:
        return []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break  # the options of an earlier turn are no longer on offer
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return list(event.data["buttons"])
    return []
