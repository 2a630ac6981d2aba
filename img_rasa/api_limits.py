"""Size limits on Rasa's HTTP API, the one input that does not pass a channel's TurnGuard.

``POST /model/parse`` and ``POST /conversations/<id>/messages`` hand their ``text`` to NLU,
and every ``/conversations/<id>/...`` route may create and store a conversation under the
id in its path. The API needs the token, but a client holding it must not be able to tie
the server up with one long message, nor make a conversation id the tracker table cannot
hold (PostgreSQL refuses the save). So the same limits as the channels hold here:
``MESSAGE_MAX_CHARS`` for the text (img_channels.guard) and the table's column for the id.

The check runs as request middleware, before Rasa's token check, like Sanic's body limit
(``REQUEST_MAX_BYTES``, set by every channel): it reads nothing stored and answers only
that the input is too large, in Rasa's own error format.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import rasa
import rasa.server
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import GuardSettings
from img_store.conversation import SENDER_ID_MAX_CHARS

# The routes whose JSON body's "text" goes to NLU.
PARSED_TEXT_ROUTES = frozenset({"/model/parse"})
PARSED_TEXT_SUFFIX = "/messages"


def _too_large(message: str, parameter: str) -> HTTPResponse:
    error = rasa.server.ErrorResponse(
        HTTPStatus.BAD_REQUEST, "InputTooLarge", message, {"parameter": parameter}
    )
    return response.json(error.error_info, status=error.status)


def _parsed_text(request: Request) -> Any:
    """The ``text`` of a request whose text goes to NLU, if it has one."""
    if request.method != "POST" or not (
        request.path in PARSED_TEXT_ROUTES or request.path.endswith(PARSED_TEXT_SUFFIX)
    ):
        return None
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None  # Rasa's handler says what is wrong with it
    return body.get("text") if isinstance(body, dict) else None


def checked_request(request: Request, message_max_chars: int) -> HTTPResponse | None:
    """A 400 response for an API request over a size limit, else None."""
    conversation_id = request.match_info.get("conversation_id")
    if isinstance(conversation_id, str) and len(conversation_id) > SENDER_ID_MAX_CHARS:
        return _too_large(
            f"A conversation id has at most {SENDER_ID_MAX_CHARS} characters.", "conversation_id"
        )
    text = _parsed_text(request)
    if isinstance(text, list):  # the emulators take the first of a list
        text = text[0] if text else None
    if isinstance(text, str) and len(text) > message_max_chars:
        return _too_large(f"A message has at most {message_max_chars} characters.", "text")
    return None


def limit_api_input(app: Sanic) -> None:
    message_max_chars = GuardSettings.from_env().message_max_chars

    @app.on_request
    async def refuse_oversized(request: Request) -> HTTPResponse | None:
        return checked_request(request, message_max_chars)


_rasa_create_app = rasa.server.create_app


def create_app(*args: Any, **kwargs: Any) -> Sanic:
    """Rasa's ``create_app`` (rasa.core.run calls it as ``server.create_app``), limited."""
    app = _rasa_create_app(*args, **kwargs)
    limit_api_input(app)
    return app


def apply() -> None:
    rasa.server.create_app = create_app
