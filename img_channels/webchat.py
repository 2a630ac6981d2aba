"""The web chat: Rasa's socketio channel behind the TurnGuard, and the page that embeds
the rasa-webchat widget, both served by the Rasa server itself (no CDN)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import TurnGuard
from img_channels.media import MediaKind, MediaStore, kind_of

WEB_DIR = Path(__file__).parent / "web"
WIDGET_BUNDLE = WEB_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
PAGE_FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "page.css": ("page.css", "text/css; charset=utf-8"),
}
# The page loads scripts only from this server; the widget sets inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'"
)


class OriginPolicy:
    """Which browser origins may open the socket: the server's own (the /chat/ page) and
    those in ``WEB_ORIGIN`` (comma-separated), for a site that embeds the widget."""

    def __init__(self, configured: str) -> None:
        self.configured = frozenset(
            o.strip().rstrip("/") for o in configured.split(",") if o.strip()
        )

    @classmethod
    def from_env(cls) -> OriginPolicy:
        return cls(os.environ.get("WEB_ORIGIN", ""))

    def __call__(self, origin: str, environ: dict[str, Any]) -> bool:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST", "")
        return origin == f"{scheme}://{host}" or origin in self.configured


class WebChatInput(SocketIOInput):
    """Rasa's socketio channel (credentials.yml: ``session_persistence: true``), with the
    TurnGuard and origins limited to the page's own or ``WEB_ORIGIN``.

    python-socketio is pinned below 5.10, where ``enter_room`` is still synchronous, as
    Rasa 3.6's ``session_request`` handler expects."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socket_blueprint = super().blueprint(TurnGuard(on_new_message))
        # Rasa passes [], which turns python-engineio's origin check off entirely.
        socket_blueprint.ctx.sio.eio.cors_allowed_origins = OriginPolicy.from_env()
        return socket_blueprint


class ChatPage(InputChannel):
    """Serves the chat page on ``/chat/``. Listed in credentials.yml like a channel, which
    is how Rasa lets a project add routes; it receives no messages itself."""

    @classmethod
    def name(cls) -> str:
        return "chat_page"

    def url_prefix(self) -> str:
        return "/chat"  # absolute: mounted at /chat, not under /webhooks/

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not WIDGET_BUNDLE.exists():
            raise RuntimeError(f"{WIDGET_BUNDLE} is missing: run `make setup` (npm ci)")
        page = Blueprint("chat_page", __name__)
        headers = {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        }

        @page.get("/")
        async def index(request: Request) -> HTTPResponse:
            return await self._file("", headers)

        media = MediaStore.from_env()

        @page.get("/media/<name:str>")
        async def media_file(request: Request, name: str) -> HTTPResponse:
            path = media.path(name)
            if path is None:
                return response.text("not found", status=404)
            kind = kind_of(name)
            extra = {"Cache-Control": "private, max-age=3600"}
            if kind == MediaKind.ICS:
                extra["Content-Disposition"] = 'attachment; filename="residency-plan.ics"'
            return await response.file(path, mime_type=kind.mime_type, headers=headers | extra)

        @page.get("/<name:str>")
        async def asset(request: Request, name: str) -> HTTPResponse:
            if name == "webchat.js":
                return await response.file(
                    WIDGET_BUNDLE, mime_type="text/javascript; charset=utf-8", headers=headers
                )
            if name not in PAGE_FILES:
                return response.text("not found", status=404)
            return await self._file(name, headers)

        return page

    @staticmethod
    async def _file(name: str, headers: dict[str, str]) -> HTTPResponse:
        file_name, mime_type = PAGE_FILES[name]
        return await response.file(
            WEB_DIR / "page" / file_name, mime_type=mime_type, headers=headers
        )
