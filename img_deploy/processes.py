"""Start, wait for, measure and stop the servers as child processes."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import jwt

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
# A model loads in ~30 s, but in several minutes on a busy shared machine.
START_TIMEOUT_S = float(os.environ.get("START_TIMEOUT_S", "300"))
RUN_SECRET = secrets.token_urlsafe(32)
RUN_WEB_SECRET = secrets.token_urlsafe(32)


# Ports for the servers we start: below Linux's ephemeral range (ip_local_port_range,
# 32768-60999 by default). A port the kernel picks (bind to 0) lies in that range, so until
# the server binds it, seconds later once its model is loaded, any outgoing connection on
# the machine may take it as its local port ("address already in use"; seen in make soak).
SERVER_PORTS = range(20_000, 32_768)
_handed_out: set[int] = set()  # this process's picks: no server is given another's port


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, outside the ephemeral range and not
    handed out before by this process."""
    while True:
        port = secrets.choice(SERVER_PORTS)
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            return port


@dataclass
class Server:
    """A started child process and the URL that answers once it is ready."""

    name: str
    process: subprocess.Popen
    ready_url: str
    log: Path
    started_at: float
    ready_after_s: float | None = None

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> float:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; log:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2):
                    self.ready_after_s = time.monotonic() - self.started_at
                    return self.ready_after_s
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready in {timeout_s}s; see {self.log}")

    def rss_mb(self) -> float:
        """Resident memory of the process and all its descendants (Sanic workers)."""
        return round(sum(_rss_kb(pid) for pid in _tree(self.process.pid)) / 1024, 1)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process and all its descendants."""
        return sum(_cpu_ticks(pid) for pid in _tree(self.process.pid)) / _CLOCK_TICKS

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(commands: tuple[str, ...]) -> float:
    """CPU time used so far by every process whose command name is one of ``commands``
    (PostgreSQL's and Redis's servers, which the project does not start itself)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name in commands:
            ticks += _cpu_ticks(int(entry.name))
    return ticks / _CLOCK_TICKS


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, over every core (/proc/stat):
    what a run keeps busy, the kernel's network work and processes the run does not know
    of included."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    everything = sum(fields[:8])  # guest time is counted in user time already
    return (everything - idle) / _CLOCK_TICKS, everything / _CLOCK_TICKS


def _cpu_ticks(pid: int) -> int:
    try:
        # Fields after the command name: state is field 3, utime 14 and stime 15 (proc(5)).
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONHASHSEED": "0",
        "ACTION_HOST": "127.0.0.1",
        "SANIC_HOST": "127.0.0.1",
        # One per run, shared by the Rasa servers and the action server they call.
        "ACTION_SERVER_SECRET": os.environ.get("ACTION_SERVER_SECRET") or RUN_SECRET,
        # Shared by every instance, so a web chat session is valid on any of them.
        "WEB_SESSION_SECRET": os.environ.get("WEB_SESSION_SECRET") or RUN_WEB_SECRET,
    }
    env.update(overrides)
    return env


def rest_headers(sender: str | None = None) -> dict[str, str]:
    """Headers for a REST call: JSON and a bearer token, needed from beyond loopback (as
    through nginx). With ``sender`` and ``REST_JWT_SECRET`` set, the token is that user's
    own JWT, as a web front end would mint it (img_channels.rest), which also keeps the
    conversation on one instance behind nginx; otherwise ``REST_TOKEN``, when set."""
    headers = {"Content-Type": "application/json"}
    secret = os.environ.get("REST_JWT_SECRET")
    if sender is not None and secret:
        headers["Authorization"] = f"Bearer {jwt.encode({'sub': sender}, secret, 'HS256')}"
    elif os.environ.get("REST_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['REST_TOKEN']}"
    return headers


def start_action_server(port: int, env: dict[str, str], log: Path, workers: int = 1) -> Server:
    """The action server (img_deploy.action_server) on 127.0.0.1 (SANIC_HOST), with
    ``workers`` Sanic worker processes; ``env`` must hold ACTION_SERVER_SECRET."""
    env = {**env, "ACTION_PORT": str(port), "ACTION_SERVER_SANIC_WORKERS": str(workers)}
    command = [
        str(BIN / "python"),
        "-m",
        "img_deploy.action_server",
        "--actions",
        "actions",
        "--port",
        str(port),
    ]
    return start_process(
        "action server", command, env, log, f"http://127.0.0.1:{port}/health", ROOT
    )


# The project's `rasa` command applies img_rasa first (img_rasa/cli.py); stock Rasa is its
# own module.
PROJECT_RASA = (str(BIN / "rasa"),)
STOCK_RASA = (str(BIN / "python"), "-m", "rasa")


def start_rasa(
    port: int,
    env: dict[str, str],
    log: Path,
    *,
    model: Path,
    cwd: Path = ROOT,
    endpoints: Path | None = None,
    credentials: Path | None = None,
    token: str = "bench-token",
    cors: str | None = None,
    stock: bool = False,
) -> Server:
    """``rasa run``: the project's ``rasa`` (img_rasa applied), or stock Rasa for a
    reference bot."""
    command = [
        *(STOCK_RASA if stock else PROJECT_RASA),
        "run",
        "--model",
        str(model),
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
        "--enable-api",
        "--auth-token",
        token,
    ]
    if endpoints:
        command += ["--endpoints", str(endpoints)]
    if credentials:
        command += ["--credentials", str(credentials)]
    if cors:
        command += ["--cors", cors]
    ready = f"http://127.0.0.1:{port}/status?token={token}"
    return start_process(f"rasa :{port}", command, env, log, ready, cwd)


def start_process(
    name: str, command: list[str], env: dict[str, str], log: Path, ready_url: str, cwd: Path
) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
    )
    return Server(name, process, ready_url, log, time.monotonic())


def consecutive_free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1 (cluster instances)."""
    while True:
        first = free_port()
        rest = range(first + 1, first + count)
        if rest and rest[-1] not in SERVER_PORTS:
            continue
        if not _handed_out.intersection(rest) and all(_bindable(port) for port in rest):
            _handed_out.update(rest)
            return first
