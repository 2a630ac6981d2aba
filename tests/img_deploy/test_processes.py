"""Ports for the servers the tests, the bench and the cluster start, and the machine's CPU
meter."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from img_deploy import processes
from img_deploy.processes import (
    SERVER_PORTS,
    consecutive_free_ports,
    free_port,
    machine_cpu_seconds,
)


def test_ports_are_distinct_and_outside_the_range_outgoing_connections_draw_from():
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports = [free_port() for _ in range(200)]
    first = consecutive_free_ports(3)
    picked = [*ports, first, first + 1, first + 2]
    assert len(set(picked)) == len(picked)
    assert all(port in SERVER_PORTS and not low <= port <= high for port in picked)


def test_a_port_something_listens_on_is_never_handed_out(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        taken = busy.getsockname()[1]
        offered = iter([taken, SERVER_PORTS[0] + 7])
        monkeypatch.setattr(processes.secrets, "choice", lambda _: next(offered))
        monkeypatch.setattr(processes, "SERVER_PORTS", range(1, 65_536))
        monkeypatch.setattr(processes, "_handed_out", set())
        assert free_port() == SERVER_PORTS[0] + 7


def test_the_machine_counts_a_busy_core_as_busy():
    busy_before, all_before = machine_cpu_seconds()
    started = time.monotonic()
    while time.monotonic() - started < 0.5:  # this process keeps one core busy
        pass
    busy_after, all_after = machine_cpu_seconds()
    cores = os.cpu_count() or 1
    assert 0.8 * cores * 0.5 <= all_after - all_before <= 1.5 * cores * 0.5
    assert busy_after - busy_before >= 0.4
