"""Two speed fixes to Rasa 3.6 (see README, Performance); ``img_rasa`` applies them.

1. ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every custom
action response. With jsonschema 4.17 that re-checks Rasa's constant response schema
against the JSON Schema meta-schema each time, which was 56 % of the Rasa server's CPU
time per message in our profile (py-spy, 1 user; see README, Performance). The fix
compiles the validators once, and checks each event against its own type's schema instead
of trying all of them; responses are validated exactly as before, except that the
project's own "forget this conversation" event (img_store.events) is a known event.

2. ``EndpointConfig.request`` opens a new aiohttp ``ClientSession``, and so a new TCP
connection, for every call to the action server (2-3 per message), and closes it again:
about 5 % of the Rasa server's CPU per message in our profile. The fix keeps one session per
endpoint and event loop, whose connections stay open between calls. Idle connections are
dropped after ``KEEPALIVE_S``, before the action server's own keep-alive timeout (Sanic's
default, 5 s) would close one just as it is reused; a restarted action server is reached
on a new connection. The sessions are closed when the Rasa server stops.
"""

from __future__ import annotations

import asyncio
import copy
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

import aiohttp
import rasa.core.run
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic

from img_store.events import RESPONSE_SCHEMA

KEEPALIVE_S = 2.0


@cache
def _response_validators() -> tuple[Any, dict[str, Any]]:
    """The response schema without its per-event ``oneOf``, and one validator per event
    type. The ``oneOf`` tried every event against each of Rasa's ~25 event schemas; each
    branch fixes ``event`` to one constant, so exactly one branch can match and checking an
    event against its own type's branch is the same check (4-5 % of the Rasa server's CPU
    per message, in our profile)."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    items = schema["properties"]["events"]["items"]
    # The project's one event of its own ("forget me", img_store.events) is a valid event.
    branches = [*items.pop("oneOf"), RESPONSE_SCHEMA]
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    by_event = {}
    for branch in branches:
        validator_class.check_schema(branch)
        by_event[branch["properties"]["event"]["const"]] = validator_class(branch)
    return validator_class(schema), by_event


def _validate_response(result: dict[str, Any]) -> None:
    whole, by_event = _response_validators()
    whole.validate(result)  # the shape, and each event an object naming its type
    for event in result.get("events") or []:
        branch = by_event.get(event["event"])
        if branch is None:
            raise ValidationError(f"{event['event']!r} is not a known event")
        branch.validate(event)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _validate_response(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


# What a session is made of: an endpoint's headers and basic auth.
SessionKey = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]

# Per event loop (a session belongs to the loop it was made in), per SessionKey.
_sessions: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[SessionKey, aiohttp.ClientSession]
]
_sessions = weakref.WeakKeyDictionary()


def _session_key(endpoint: EndpointConfig) -> SessionKey:
    def pairs(mapping: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((name, str(value)) for name, value in (mapping or {}).items()))

    return pairs(endpoint.headers), pairs(endpoint.basic_auth)


def _session_for(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    by_key = _sessions.setdefault(asyncio.get_running_loop(), {})
    key = _session_key(endpoint)
    session = by_key.get(key)
    if session is None or session.closed:
        credentials = endpoint.basic_auth
        auth = (
            aiohttp.BasicAuth(credentials["username"], credentials["password"])
            if credentials
            else None
        )
        session = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
        )
        by_key[key] = session
    return session


@asynccontextmanager
async def _kept_session(self: EndpointConfig) -> AsyncIterator[aiohttp.ClientSession]:
    """What ``EndpointConfig.session()`` returns instead of a new session: the endpoint's
    shared session, left open after the ``async with``."""
    yield _session_for(self)


async def close_shared_sessions() -> None:
    """Closes the current event loop's shared sessions (at server stop)."""
    by_key = _sessions.pop(asyncio.get_running_loop(), {})
    for session in by_key.values():
        await session.close()


_rasa_close_resources = rasa.core.run.close_resources


async def _close_resources(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
    await _rasa_close_resources(app, loop)
    await close_shared_sessions()


def compile_response_validator() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def keep_action_sessions() -> None:
    EndpointConfig.session = _kept_session  # type: ignore[assignment,method-assign]
    # serve_application registers close_resources when the server is configured, after
    # the entry point has applied this.
    rasa.core.run.close_resources = _close_resources
