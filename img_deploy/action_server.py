"""The action server: rasa_sdk's, accepting calls only from the Rasa servers.

Rasa's action server takes any POST to ``/webhook``, and a forged tracker in it could read,
overwrite or delete any stored profile. Here every request but ``/health`` must carry
``X-Action-Secret: $ACTION_SERVER_SECRET`` (endpoints.yml makes Rasa send it); the server
refuses to start without the variable. Errors answer with their type only, where rasa_sdk
would echo the request body.

``python -m img_deploy.action_server --actions actions --port 5055`` (rasa_sdk's arguments).
"""

from __future__ import annotations

import hmac
import logging
import os
import sys

import pluggy
from rasa_sdk.__main__ import main as rasa_sdk_main
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

SECRET_HEADER = "X-Action-Secret"
SECRET_VARIABLE = "ACTION_SERVER_SECRET"
OPEN_PATHS = frozenset({"/health"})  # for readiness checks; it says nothing but "ok"

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


def main() -> None:
    secret = os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        sys.exit(f"error: set {SECRET_VARIABLE} (the Rasa servers send it on every call)")
    plugin_manager().register(SharedSecret(secret))
    rasa_sdk_main()


if __name__ == "__main__":
    main()
