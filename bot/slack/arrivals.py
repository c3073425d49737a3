"""Questions reach the model in the order Slack delivered them, and each delivery only once.

Bolt runs listeners in parallel threads, so two questions that arrive a moment apart could reach
the model's queue the other way round. A ticket is taken while the request is dispatched (in
arrival order, before Slack gets its acknowledgement); a listener submits its question only when
every earlier ticket has submitted (or given up). Retried deliveries of one event are recognised
by their event_id.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class ArrivalOrder:
    """Tickets in arrival order; `turn(ticket)` waits until all earlier tickets are released."""

    def __init__(self, *, max_wait_s: float = 15.0) -> None:
        self.max_wait_s = max_wait_s
        self._tickets = itertools.count(1)
        self._open: set[int] = set()
        self._changed = threading.Condition()

    def take(self) -> int:
        with self._changed:
            ticket = next(self._tickets)
            self._open.add(ticket)
            return ticket

    def release(self, ticket: int | None) -> None:
        """Idempotent: a listener releases its ticket after submitting, and again when it ends."""
        if ticket is None:
            return
        with self._changed:
            self._open.discard(ticket)
            self._changed.notify_all()

    @contextmanager
    def turn(self, ticket: int | None) -> Iterator[None]:
        """Waits for the earlier tickets (never longer than max_wait_s), runs the block, releases."""
        if ticket is not None:
            self._wait_for_earlier(ticket)
        try:
            yield
        finally:
            self.release(ticket)

    def _wait_for_earlier(self, ticket: int) -> None:
        deadline = time.monotonic() + self.max_wait_s
        with self._changed:
            while any(t < ticket for t in self._open):
                left = deadline - time.monotonic()
                if left <= 0:
                    stuck = sorted(t for t in self._open if t < ticket)
                    log.warning("question %d stopped waiting for earlier questions %s", ticket, stuck)
                    self._open.difference_update(stuck)  # so later questions do not wait on them too
                    self._changed.notify_all()
                    return
                self._changed.wait(left)


class SeenEvents:
    """A bounded memory of event ids, to answer a retried event (same event_id) once."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is offered; False for every repeat still remembered."""
        with self._lock:
            if event_id in self._seen:
                self._seen.move_to_end(event_id)
                return False
            self._seen[event_id] = None
            if len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True
