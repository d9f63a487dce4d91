"""A redis-server of a test's (or `make faults`'s) own, on a free loopback port, keeping nothing
on disk: stopping it loses its queue, as a Redis without persistence does. Imports nothing of
Django, so the fault benchmark can use it before its settings are loaded."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(*, port: int, folder: Path, new_session: bool = False) -> subprocess.Popen[bytes]:
    """Start it and wait until it listens (10 s at most)."""
    proc = subprocess.Popen(  # noqa: S603
        [
            "/usr/bin/redis-server",
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(folder)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # make faults kills its own process group on Ctrl+C: Redis must not go with it early.
        start_new_session=new_session,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return proc
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"redis-server did not listen on port {port}")
