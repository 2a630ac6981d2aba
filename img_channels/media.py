"""Files the bot sends (chart PNGs, plan calendars): written by the action server, served by
the Rasa server under ``/chat/media/<name>``.

Names are random (144 bits), so a file is reachable only through the message that links
it. Storage is bounded: files older than ``MEDIA_MAX_AGE_S`` (default one day) are removed,
and at most ``MEDIA_MAX_FILES`` (default 500) are kept, oldest removed first. Both
processes find the directory through ``MEDIA_DIR`` (default ``var/media``); in the cluster
they run on one host and share it.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

URL_PREFIX = "/chat/media/"
MAX_BYTES = 2_000_000  # a chart is about 50 kB, a calendar about 5 kB


class MediaKind(str, Enum):
    PNG = "png"
    ICS = "ics"

    @property
    def mime_type(self) -> str:
        return {MediaKind.PNG: "image/png", MediaKind.ICS: "text/calendar; charset=utf-8"}[self]


_NAME = re.compile(r"^[A-Za-z0-9_-]{24}\.(png|ics)$")


@dataclass(frozen=True)
class MediaStore:
    directory: Path
    max_files: int = 500
    max_age_s: float = 24 * 3600

    @classmethod
    def from_env(cls) -> MediaStore:
        return cls(
            Path(os.environ.get("MEDIA_DIR", "var/media")),
            max_files=int(os.environ.get("MEDIA_MAX_FILES", "500")),
            max_age_s=float(os.environ.get("MEDIA_MAX_AGE_S", str(24 * 3600))),
        )

    def put(self, data: bytes, kind: MediaKind) -> str:
        """Store ``data``; returns the file's name (the last part of its URL)."""
        if len(data) > MAX_BYTES:
            raise ValueError(f"media file of {len(data)} bytes is over {MAX_BYTES}")
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(18)}.{kind.value}"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(data)
        partial.replace(self.directory / name)  # readers never see half a file
        self.prune()
        return name

    def path(self, name: str) -> Path | None:
        """The stored file for a name from a URL; None for anything else."""
        if not _NAME.match(name):
            return None
        path = self.directory / name
        if not path.is_file() or time.time() - path.stat().st_mtime > self.max_age_s:
            return None
        return path

    def read(self, name: str) -> bytes | None:
        path = self.path(name)
        return path.read_bytes() if path is not None else None

    def prune(self) -> None:
        files = []
        for path in self.directory.iterdir():
            if _NAME.match(path.name):
                try:
                    files.append((path.stat().st_mtime, path))
                except FileNotFoundError:  # removed by another process meanwhile
                    continue
        files.sort()
        now = time.time()
        excess = len(files) - self.max_files
        for index, (mtime, path) in enumerate(files):
            if index < excess or now - mtime > self.max_age_s:
                path.unlink(missing_ok=True)


def kind_of(name: str) -> MediaKind:
    return MediaKind(name.rsplit(".", 1)[1])


def url_of(name: str) -> str:
    """The path the Rasa server serves ``name`` at (relative to its origin)."""
    return URL_PREFIX + name


def name_from_url(url: str) -> str | None:
    """The media name in a URL (relative or absolute) this server serves, or None."""
    _, found, name = url.partition(URL_PREFIX)
    return name if found and _NAME.match(name) else None


def public_url(name: str) -> str | None:
    """The absolute URL for channels that fetch media themselves (WhatsApp), when
    ``PUBLIC_BASE_URL`` (e.g. https://advisor.example.org) is configured."""
    base = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/")
    return f"{base}{url_of(name)}" if base.startswith(("https://", "http://")) else None
