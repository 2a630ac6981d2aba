"""The action server: rasa_sdk's, accepting calls only from the Rasa servers.

Rasa's action server takes any POST to ``/webhook``, and a forged tracker in it could read,
overwrite or delete any stored profile. Here every request but ``/health`` must carry
``X-Action-Secret: $ACTION_SERVER_SECRET`` (endpoints.yml makes Rasa send it); the server
refuses to start without the variable. Errors answer with their type only, where rasa_sdk
would echo the request body. No CORS middleware is installed: no browser calls this server.

``python -m img_deploy.action_server --actions actions --port 5055`` (rasa_sdk's arguments).
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from collections import Counter

import pluggy
from rasa_sdk import endpoint as rasa_sdk_endpoint
from rasa_sdk.__main__ import main as rasa_sdk_main
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

SECRET_HEADER = "X-Action-Secret"
SECRET_VARIABLE = "ACTION_SERVER_SECRET"
OPEN_PATHS = frozenset({"/health"})  # for readiness checks; it says nothing but "ok"
STATS_PATH = "/stats"  # calls per action since start (behind the secret, like the webhook)

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)


class SharedSecret:
    """A rasa_sdk plugin: the secret check on every request, and bodiless errors."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def allows(self, request: Request) -> bool:
        if request.path in OPEN_PATHS:
            return True
        offered = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(offered.encode(), self._secret)

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        @app.on_request
        async def check_secret(request: Request) -> HTTPResponse | None:
            if self.allows(request):
                return None
            logger.warning("refused a call without the action server secret")
            return response.json({"error": "forbidden"}, status=403)

        @app.exception(Exception)
        async def bodiless_error(request: Request, error: Exception) -> HTTPResponse:
            if isinstance(error, SanicException):  # 404, 405, 413, ...
                return response.json({"error": type(error).__name__}, status=error.status_code)
            logger.error("action call failed: %s", type(error).__name__)
            return response.json({"error": type(error).__name__}, status=500)


class CallCounter:
    """A rasa_sdk plugin counting webhook calls per action, read at ``/stats``.

    `make bench` reads it to report action-server calls per user message (issue #20); each
    Sanic worker counts its own calls, so it is exact with one worker, as bench runs it.
    """

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        @app.on_request
        async def count_call(request: Request) -> None:
            if request.method == "POST" and request.path == "/webhook":
                body = request.json if isinstance(request.json, dict) else {}
                name = body.get("next_action")
                self.calls[name if isinstance(name, str) else "?"] += 1

        @app.get(STATS_PATH)
        async def stats(request: Request) -> HTTPResponse:
            return response.json({"total": sum(self.calls.values()), "calls": dict(self.calls)})


def _no_cors(app: Sanic, cors_origins: object = None) -> None:
    """Only the Rasa servers call this server, never a browser. rasa_sdk's CORS extension
    (which, with its default arguments, allows no origin anyway) would still run its
    middleware on every request: ~5 % of this server's CPU per call (issue #20)."""


def main() -> None:
    secret = os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        sys.exit(f"error: set {SECRET_VARIABLE} (the Rasa servers send it on every call)")
    rasa_sdk_endpoint.configure_cors = _no_cors
    # pluggy calls hooks last-registered first, so the secret's middleware is attached, and
    # runs, before the counter's: a refused call is not counted.
    plugin_manager().register(CallCounter())
    plugin_manager().register(SharedSecret(secret))
    rasa_sdk_main()


if __name__ == "__main__":
    main()
