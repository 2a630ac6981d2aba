"""Debian's chromium, driven by Playwright's Python client (no browser is ever downloaded)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# Without these, chromium keeps calling Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_page(**context: Any) -> Iterator[Any]:
    """A page in a fresh headless chromium; ``context`` goes to ``new_context``."""
    if not CHROMIUM.exists():
        raise RuntimeError("/usr/bin/chromium missing: `make setup` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_context(**context).new_page()
        finally:
            browser.close()


# ---- the rasa-webchat widget on /chat/ -------------------------------------------------

WAIT_MS = 60_000


def bot_texts(page: Any) -> list[str]:
    return page.locator(".rw-response").all_inner_texts()


def settle(page: Any, answered: int) -> None:
    """Wait until more than ``answered`` bot messages are shown and no more arrive for a
    while (the widget shows a batch one message at a time)."""
    page.wait_for_function(
        "n => document.querySelectorAll('.rw-response').length > n", arg=answered, timeout=WAIT_MS
    )
    shown = -1
    while shown != len(bot_texts(page)):
        shown = len(bot_texts(page))
        page.wait_for_timeout(1500)


def send(page: Any, text: str) -> None:
    """Type a message and wait until the bot has answered it."""
    answered = len(bot_texts(page))
    page.fill(".rw-new-message", text)
    page.keyboard.press("Enter")
    settle(page, answered)


def wait_for_chart(page: Any) -> Any:
    """The latest chart image in the chat, once the browser has loaded it."""
    chart = page.locator(".rw-response img").last
    chart.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle(), timeout=WAIT_MS
    )
    return chart
