"""A model server's slots: how many requests it works on at once and how many it does now
(`ServerSlots`, from llama.cpp's /slots, /metrics and /props), and this client's line for them
(`SlotLine`: at most as many requests in flight as there are slots, the rest wait in order).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.answering.generation import Generation

DEFAULT_PARALLEL = 4  # requests in flight at a server that does not say how many slots it has


@dataclass(frozen=True)
class ServerSlots:
    """How many requests the model server works on at once (`total`) and does now (`busy`).

    `reported`: the server's own figures (llama.cpp's /slots or /metrics), which count every client's
    requests, other replicas' too; else this client's bound and its own requests in flight."""

    total: int
    busy: int
    reported: bool


class SlotLine:
    """This client's line for the server's slots: at most `size` requests in flight, the rest wait
    here in FIFO order."""

    def __init__(self, size: int) -> None:
        self._size = self._free = max(1, size)
        self._waiting: deque[Generation] = deque()
        self._cond = threading.Condition()

    def enqueue(self, generation: Generation) -> None:
        """Takes a place in line (in the submitting thread, so the order is the submit order)."""
        with self._cond:
            self._waiting.append(generation)

    @property
    def size(self) -> int:
        return self._size

    def in_flight(self) -> int:
        with self._cond:
            return self._size - self._free

    def resize(self, size: int) -> None:
        """A new bound (the server was restarted with other slots); those in flight finish as they are."""
        with self._cond:
            size = max(1, size)
            self._free += size - self._size
            self._size = size
            self._cond.notify_all()

    def acquire(self, generation: Generation) -> bool:
        """Waits until `generation` is first in line and a slot is free (True), or until it left the
        line (`withdraw`: False, and no slot is taken)."""
        with self._cond:
            while True:
                if generation not in self._waiting:
                    return False
                if self._waiting[0] is generation and self._free > 0:
                    break
                self._cond.wait()
            self._waiting.popleft()
            self._free -= 1
            self._cond.notify_all()
            return True

    def withdraw(self, generation: Generation) -> None:
        """Takes `generation` out of the line if it still waits there (it was cancelled): it never
        reaches the server, and those behind it move up at once."""
        with self._cond:
            if generation in self._waiting:
                self._waiting.remove(generation)
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()

    def position(self, generation: Generation) -> int:
        """0 once sent to the server; else the requests ahead of it (waiting here or in flight), at least 1."""
        with self._cond:
            try:
                index = self._waiting.index(generation)
            except ValueError:
                return 0
            return max(1, index + self._size - self._free)


def busy_slots(listing: list) -> int:
    """The slots of llama.cpp's /slots listing that are generating."""
    return sum(1 for slot in listing if isinstance(slot, dict) and slot.get("is_processing"))


def prometheus_gauge(text: str, name: str) -> int | None:
    """The value of gauge `name` in Prometheus text (llama.cpp's /metrics), else None."""
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == name:
            try:
                return int(float(value))
            except ValueError:
                return None
    return None


def positive_int(value: Any) -> int:
    """A positive count from a server's JSON, else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
