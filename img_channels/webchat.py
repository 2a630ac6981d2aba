"""The web chat: Rasa's socketio channel behind the TurnGuard, and the page that embeds
the rasa-webchat widget, both served by the Rasa server itself (no CDN)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from img_channels.guard import TurnGuard, apply_request_limit
from img_channels.media import MediaKind, MediaStore, kind_of
from img_store.conversation import Channel, ConversationKey

logger = logging.getLogger(__name__)

SESSION_ID_MAX_CHARS = 100
# One socket.io packet; a message at the length limit in any encoding fits.
SOCKET_MESSAGE_MAX_BYTES = 64_000
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


class SessionSigner:
    """Web chat session ids the server issues: ``<random id>.<HMAC of it>``. A client can
    keep its id (the widget stores it, so a reload continues the conversation) but cannot
    make one up, so it cannot name another browser's conversation.

    The key is ``WEB_SESSION_SECRET`` (the cluster shares one across its instances);
    without it, a random key of this process, so ids do not outlive a restart."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_env(cls) -> SessionSigner:
        configured = os.environ.get("WEB_SESSION_SECRET", "")
        if not configured:
            logger.info("WEB_SESSION_SECRET unset: web chat sessions end with this process")
        return cls(configured.encode() or secrets.token_bytes(32))

    def _signature(self, random_id: str) -> str:
        digest = hmac.new(self._key, random_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self) -> tuple[str, str]:
        """A new (random id, session id)."""
        random_id = secrets.token_urlsafe(18)
        return random_id, f"{random_id}.{self._signature(random_id)}"

    def verify(self, session_id: object) -> str | None:
        """The random id inside a session id this server issued, else None."""
        if not isinstance(session_id, str) or len(session_id) > SESSION_ID_MAX_CHARS:
            return None
        random_id, _, signature = session_id.partition(".")
        if random_id and hmac.compare_digest(signature, self._signature(random_id)):
            return random_id
        return None


class WebChatInput(SocketIOInput):
    """Rasa's socketio channel (credentials.yml: ``session_persistence: true``), with the
    TurnGuard, origins limited to the page's own or ``WEB_ORIGIN``, and session ids the
    server issues and signs (:class:`SessionSigner`).

    Rasa's own handlers take the session id from the client on every message, so a second
    client that sent someone else's id joined their room and saw their replies. Here a
    socket's conversation is fixed when its session is confirmed, kept server-side with
    the socket, and whatever session id a later message carries is ignored. A session id
    already shown in another live socket (a copied id) gets a new conversation instead.

    python-socketio is pinned below 5.10, where ``enter_room`` is still synchronous, as
    Rasa 3.6's ``session_request`` handler expects."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guard = TurnGuard(on_new_message)
        socket_blueprint = super().blueprint(guard)
        apply_request_limit(socket_blueprint)
        sio = socket_blueprint.ctx.sio
        # Rasa passes [], which turns python-engineio's origin check off entirely.
        sio.eio.cors_allowed_origins = OriginPolicy.from_env()
        sio.eio.max_http_buffer_size = SOCKET_MESSAGE_MAX_BYTES
        signer = SessionSigner.from_env()

        attached: dict[str, str] = {}  # conversation -> the one live socket showing it

        async def session_request(sid: str, data: Any) -> None:
            offered = data.get("session_id") if isinstance(data, dict) else None
            random_id = signer.verify(offered)
            conversation = ConversationKey(Channel.WEB, random_id).sender_id if random_id else ""
            if random_id is None or attached.get(conversation, sid) != sid:
                # Not ours, or shown in another live socket: a conversation of its own.
                random_id, offered = signer.issue()
                conversation = ConversationKey(Channel.WEB, random_id).sender_id
            attached[conversation] = sid
            await sio.save_session(sid, {"conversation": conversation}, namespace=self.namespace)
            sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", offered, room=sid, namespace=self.namespace)

        async def disconnect(sid: str) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            conversation = session.get("conversation")
            if conversation is not None and attached.get(conversation) == sid:
                del attached[conversation]

        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            conversation = session.get("conversation")
            message = data.get("message") if isinstance(data, dict) else None
            if conversation is None or not isinstance(message, str):
                logger.info("web chat: a message without a confirmed session or text was dropped")
                return
            await guard(
                UserMessage(
                    message,
                    SocketIOOutput(sio, self.bot_message_evt),
                    conversation,
                    input_channel=self.name(),
                    metadata={"audience": "private"},
                )
            )

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
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
