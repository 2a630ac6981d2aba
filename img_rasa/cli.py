"""The project's ``rasa`` command: Rasa's own CLI with ``img_rasa`` applied first.

``pip install -e .`` installs it as ``.venv/bin/rasa`` (pyproject.toml, project.scripts),
so ``make chat``, ``make serve``, the cluster, the bench and a bare ``.venv/bin/rasa shell``
all run the same patched Rasa. Python warnings (a dozen deprecation notices from Rasa's
dependencies at every start) go to ``var/warnings.log`` instead of the terminal.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from types import TracebackType
from typing import TextIO

WARNINGS_LOG = Path("var") / "warnings.log"


def route_warnings(path: Path) -> None:
    """Every Python warning is appended to ``path``, none reaches the terminal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.open("a", encoding="utf-8")

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        log.write(warnings.formatwarning(message, category, filename, lineno, line))
        log.flush()

    warnings.showwarning = show


LOG_LEVEL_FLAGS = {"-v", "--verbose", "-vv", "--debug", "--quiet", "--logging-config-file"}


def quiet_shell(argv: list[str]) -> None:
    """``rasa shell`` logs only problems unless a log level is asked for: the chat is the
    screen. The model takes a while to load, so say so."""
    if not LOG_LEVEL_FLAGS & set(argv):
        argv.append("--quiet")
    print("Loading the advisor (about half a minute)...", flush=True)


def _quiet_excepthook(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):  # Ctrl-C in the shell: leave without a trace
        sys.exit(130)
    sys.__excepthook__(kind, error, tb)


def main() -> None:
    route_warnings(Path(os.environ.get("IMG_WARNINGS_LOG", WARNINGS_LOG)))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ start-up notes
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sys.excepthook = _quiet_excepthook

    if sys.argv[1:2] == ["shell"]:
        quiet_shell(sys.argv)

    from img_rasa import plugin

    plugin.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
