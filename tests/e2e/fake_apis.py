"""A stand-in for Telegram's Bot API, Twilio's Messages API and Meta's Graph API
(WhatsApp Cloud API) on 127.0.0.1, recording what the bot sends so tests can read it."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    """Form fields as text; a file field as {"filename": ..., "bytes": ...}
    (Telegram's sendPhoto and sendDocument uploads)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        fields[str(name)] = {"filename": filename, "bytes": data} if filename else data.decode()
    return fields


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    authorization: str = ""


@dataclass
class FakeApis:
    """Telegram calls land at /bot<token>/<method> (JSON), Twilio's at
    /2010-04-01/Accounts/<sid>/Messages.json (form), the Graph API's at
    /<version>/<phone number id>/messages (JSON, bearer token)."""

    calls: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeApis:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("application/json"):
                    body = json.loads(raw or b"{}")
                elif content_type.startswith("multipart/form-data"):
                    body = _multipart(raw, content_type)
                else:
                    body = dict(urllib.parse.parse_qsl(raw.decode()))
                with fake.lock:
                    fake.calls.append(
                        Recorded(self.path, body, self.headers.get("Authorization", ""))
                    )
                if self.path.endswith("/messages"):  # the Graph API's answer
                    reply = json.dumps(
                        {
                            "messaging_product": "whatsapp",
                            "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                            "messages": [{"id": f"wamid.fake{len(fake.calls)}"}],
                        }
                    )
                else:
                    reply = json.dumps({"ok": True, "result": {"message_id": len(fake.calls)}})
                self.send_response(200 if "Messages.json" not in self.path else 201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()

    def sent(self, method_suffix: str, **match: Any) -> list[Recorded]:
        with self.lock:
            return [
                call
                for call in self.calls
                if call.path.endswith(method_suffix)
                and all(call.body.get(key) == value for key, value in match.items())
            ]

    def wait_quiet(self, seconds: float = 0.5) -> None:
        """Wait until no call has arrived for ``seconds`` (replies are sent before the
        webhook answers, so this is only a guard against stragglers)."""
        last = -1
        while True:
            with self.lock:
                count = len(self.calls)
            if count == last:
                return
            last = count
            time.sleep(seconds)
