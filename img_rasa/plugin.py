"""Every change the project makes to Rasa 3.6's internals, in one place, applied explicitly.

Each :class:`Fix` says what it changes and why, and names its equivalence test (the
behaviour Rasa's users see is unchanged, or changed only as the reason says). Every entry
point calls :func:`apply` before Rasa does any work: the project's ``rasa`` command
(``img_rasa.cli``, which ``make chat``, ``make serve``, the cluster and the bench start),
the held-out NLU evaluation (``img_nlp.evaluate``) and the tests that run Rasa in-process.
Stock Rasa stays reachable as ``python -m rasa`` (the bench's reference bot runs that way).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import rasa.core.channels
import rasa.core.channels.console

from img_rasa import api_limits, console, fixes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fix:
    name: str
    reason: str
    test: str  # the test that shows Rasa behaves as before (or as the reason says)
    apply: Callable[[], None]


def _console_channel() -> None:
    rasa.core.channels.BUILTIN_CHANNELS["cmdline"] = console.ConsoleInput
    rasa.core.channels.console.record_messages = console.record_messages


FIXES: tuple[Fix, ...] = (
    Fix(
        "compiled action-response validator",
        "RemoteAction re-checked Rasa's constant response schema against the JSON Schema "
        "meta-schema on every custom-action response (56 % of the server's CPU); it is "
        "compiled once, responses are validated as before",
        "tests/img_rasa/test_fixes.py::test_invalid_responses_are_still_refused_with_rasa_s_hint",
        fixes.compile_response_validator,
    ),
    Fix(
        "kept action-server sessions",
        "EndpointConfig.request opened a new HTTP session and TCP connection for every "
        "action call (about 5 % of CPU); one keep-alive session per endpoint and event loop "
        "is kept, idle connections close before the action server's own keep-alive does",
        "tests/img_rasa/test_fixes.py::test_action_calls_share_one_connection_and_survive_a_restarted_server",
        fixes.keep_action_sessions,
    ),
    Fix(
        "the project's console",
        "Rasa's shell shows a picker after a reply with buttons and drops typed text into "
        "it; the project's console prints numbered options, a number picks one, other text "
        "is sent as typed, and the server side is guarded like every channel",
        "tests/img_rasa/test_console.py::test_free_text_after_buttons_is_answered_and_2_picks",
        _console_channel,
    ),
    Fix(
        "size limits on the HTTP API",
        "the token-protected HTTP API handed text of any length to NLU (/model/parse, "
        "/conversations/<id>/messages) and stored conversations under ids longer than the "
        "tracker table's column; such requests get 400 in Rasa's error format, with the "
        "channels' MESSAGE_MAX_CHARS; every other request is served as before",
        "tests/img_rasa/test_api_limits.py::test_oversized_input_is_refused_and_the_rest_served_as_before",
        api_limits.apply,
    ),
)

_applied: list[str] = []


def apply() -> tuple[str, ...]:
    """Apply every fix once (later calls do nothing); the names of the fixes applied."""
    if not _applied:
        for fix in FIXES:
            fix.apply()
            _applied.append(fix.name)
        logger.info("img_rasa: applied %s", "; ".join(_applied))
    return tuple(_applied)


def applied() -> tuple[str, ...]:
    return tuple(_applied)
