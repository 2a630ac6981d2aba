"""Conversations the bot is known to get wrong, each with the open issue that fixes it.

They run in every `make test` as strict expected failures: the suite stays green while a gap
is open, and fails the day one starts passing, so its entry must then be removed here. Add
nothing to hide a regression; an entry names a feature that was never finished.
"""

from __future__ import annotations

import pytest

KNOWN_GAPS: dict[str, str] = {}


def mark_known_gaps(items: list[pytest.Item]) -> None:
    for item in items:
        reason = KNOWN_GAPS.get(item.nodeid.split("tests/e2e/", 1)[-1])
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
