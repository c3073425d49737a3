"""Free loopback ports, and waiting until a started server answers (not a fixed sleep)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Callable


class ServerDidNotStart(RuntimeError):
    """A server exited or did not answer in time; the message ends with the tail of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(probe: Callable[[], bool], process: subprocess.Popen, log: Path, *, name: str,
                     timeout_s: float = 60.0, interval_s: float = 0.05) -> float:
    """Calls `probe` (a real request: a connection, an HTTP call) until it returns True; the seconds
    that took. Raises ServerDidNotStart when the process exits first or `timeout_s` passes."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            raise ServerDidNotStart(f"{name} exited ({process.returncode}):\n{_tail(log)}")
        try:
            if probe():
                return time.monotonic() - started
        except OSError:
            pass
        if time.monotonic() - started > timeout_s:
            raise ServerDidNotStart(f"{name} did not answer within {timeout_s:.0f} s:\n{_tail(log)}")
        time.sleep(interval_s)  # polling: a server that starts listening sends us no event


def _tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"
