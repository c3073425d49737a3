"""Questions reach the model in the order Slack delivered them, each delivery only once, and
answers never hold up an acknowledgement.

Bolt runs listeners in parallel threads, so two questions that arrive a moment apart could reach
the model's queue the other way round. Each request gets a ticket when it arrives (in Socket Mode
as its frame is read off the WebSocket, in the one thread that reads it: see
bot.slack.transport.serving.OrderedSocketModeHandler; over HTTP when it is dispatched); a question's listener
submits to the model only when every earlier ticket has submitted (or given up), and every other
request gives its ticket back when its dispatch ends. Retried deliveries of one event are recognised
by their event_id.

`ListenerPool` is Bolt's listener executor in two lanes. An answer holds its listener thread until
the model has written it, so answers run in their own lane (up to `answer_threads` of them at
once, the earliest ticket first; more wait in line without a thread), and everything else —
acknowledging slash commands, clicks and form submissions, `/vraagbaak status` — runs in the quick
lane, which answers can never fill.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from bot.operations.observers import Observers

log = logging.getLogger(__name__)


class ArrivalOrder:
    """Tickets in arrival order; `turn(ticket)` waits until all earlier tickets are released.

    A ticket is released only by this class's context managers, whichever ends first: `dispatching`
    (a request that was no question, or one that no listener took up), `holding` (the answer lane,
    around a question's listener: however the listener ends) and `turn` (the question went to the
    model). `released` is told after every release, outside this class's lock."""

    def __init__(self, *, max_wait_s: float = 15.0) -> None:
        self.max_wait_s = max_wait_s
        self._tickets = itertools.count(1)
        self._open: set[int] = set()
        self._handed_over: set[int] = set()  # questions an answer lane took up
        self._changed = threading.Condition()
        self._dispatching = threading.local()
        self.released: Observers[[]] = Observers("arrival ticket released")

    def take(self) -> int:
        """A new ticket, later than every ticket taken before."""
        with self._changed:
            ticket = next(self._tickets)
            self._open.add(ticket)
            return ticket

    @contextmanager
    def dispatching(self, ticket: int | None) -> Iterator[None]:
        """This thread now dispatches the request that arrived with `ticket` (taken when it was
        received); unless a listener `claim()`s it and an answer lane takes it up, the ticket is
        released when dispatch ends."""
        state = self._dispatching.arrival = [ticket, False]
        try:
            yield
        finally:
            self._dispatching.arrival = None
            with self._changed:  # (a ticket already released again is no longer handed over: harmless)
                taken_up = state[1] and ticket in self._handed_over
            if not taken_up:
                self._release(ticket)

    def claim(self) -> int:
        """The ticket of the question this thread is dispatching: the one taken when it arrived,
        or (not received through `dispatching`, e.g. over HTTP) a new one."""
        state = getattr(self._dispatching, "arrival", None)
        if state is None or state[0] is None or state[1]:
            return self.take()
        state[1] = True
        return int(state[0])

    def hand_over(self, ticket: int) -> None:
        """An answer lane took up this question: its dispatch ending no longer releases it."""
        with self._changed:
            if ticket in self._open:
                self._handed_over.add(ticket)

    @contextmanager
    def holding(self, ticket: int | None) -> Iterator[None]:
        """The block holds `ticket`; it is released when the block ends, however it ends (at once,
        when something inside released it earlier)."""
        try:
            yield
        finally:
            self._release(ticket)

    @contextmanager
    def turn(self, ticket: int | None) -> Iterator[None]:
        """Waits for the earlier tickets (never longer than max_wait_s), runs the block, releases."""
        if ticket is not None:
            self._wait_for_earlier(ticket)
        with self.holding(ticket):
            yield

    def blocking(self, ticket: int, started: set[int]) -> list[int]:
        """Open tickets before `ticket` that are not in `started`."""
        with self._changed:
            return [t for t in self._open if t < ticket and t not in started]

    def give_up(self, stuck: list[int], waiting: int) -> None:
        """Tickets that never came, forgotten so that no later question waits for them again."""
        log.warning("question %d stopped waiting for earlier questions %s", waiting, sorted(stuck))
        self._release(*stuck)

    def _release(self, *tickets: int | None) -> None:
        """Idempotent: a ticket released already (its turn ended before its listener did) stays so."""
        released = {t for t in tickets if t is not None}
        if not released:
            return
        with self._changed:
            self._open -= released
            self._handed_over -= released
            self._changed.notify_all()
        self.released.notify()

    def _wait_for_earlier(self, ticket: int) -> None:
        deadline = time.monotonic() + self.max_wait_s
        with self._changed:
            while any(t < ticket for t in self._open):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            else:
                return
            stuck = [t for t in self._open if t < ticket]
        self.give_up(stuck, ticket)


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


class ListenerPool(Executor):
    """Bolt's `listener_executor`: answers in their own lane, everything else in the quick lane.

    A global middleware calls `route(ticket)` for a question before Bolt hands its listener to
    `submit` in the same thread (Bolt dispatches synchronously); every other request is routed to
    the quick lane.
    """

    def __init__(self, *, quick_threads: int, answer_threads: int, arrivals: ArrivalOrder | None = None) -> None:
        self.arrivals = arrivals or ArrivalOrder()
        self.quick = ThreadPoolExecutor(max_workers=quick_threads, thread_name_prefix="slack-listener")
        self.answers = AnswerLane(answer_threads, self.arrivals)
        self._route = threading.local()

    def route(self, ticket: int | None) -> None:
        """What this thread submits next is the answer with this ticket (None: not an answer)."""
        self._route.ticket = ticket

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        ticket = getattr(self._route, "ticket", None)
        if ticket is None:
            return self.quick.submit(fn, *args, **kwargs)
        return self.answers.submit(ticket, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.quick.shutdown(wait=wait, cancel_futures=cancel_futures)
        self.answers.shutdown(wait=wait, cancel_futures=cancel_futures)


class AnswerLane:
    """At most `threads` workers, started as needed. Work is taken in ticket order, and only once
    every earlier ticket has either started here or been released (a request that was no question,
    or one whose dispatch is still under way a moment longer): a later question must never take
    the last free thread and then wait there for an earlier one that has no thread."""

    def __init__(self, threads: int, arrivals: ArrivalOrder) -> None:
        self.max_threads = threads
        self.arrivals = arrivals
        self._waiting: list[tuple[int, int, float, Future, Callable[[], Any]]] = []
        self._order = itertools.count()
        self._started: set[int] = set()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False
        self._changed = threading.Condition()  # the lane's own lock; taken before the arrivals' one, never after
        arrivals.released.add(self._wake)  # a released ticket may let the earliest waiting work start

    def _wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def submit(self, ticket: int, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        with self._changed:
            if self._closed:
                raise RuntimeError("the answer lane is shut down")
            self.arrivals.hand_over(ticket)
            heapq.heappush(self._waiting, (ticket, next(self._order), time.monotonic(), future,
                                           lambda: fn(*args, **kwargs)))
            if len(self._waiting) > self._idle and len(self._threads) < self.max_threads:
                thread = threading.Thread(target=self._work, name=f"slack-answer-{len(self._threads) + 1}",
                                          daemon=True)  # a stuck answer must not keep the process alive
                self._threads.append(thread)
                thread.start()
            self._changed.notify()
        return future

    def waiting(self) -> int:
        """Answers waiting for a thread."""
        with self._changed:
            return len(self._waiting)

    def threads(self) -> int:
        with self._changed:
            return len(self._threads)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._changed:
            self._closed = True
            if cancel_futures:
                for _, _, _, future, _ in self._waiting:
                    future.cancel()
                self._waiting.clear()
            self._changed.notify_all()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()

    def _next(self) -> tuple[int, Future, Callable[[], Any]] | None:
        """The earliest waiting work, once nothing earlier can still arrive (the lane's lock held)."""
        if not self._waiting:
            return None
        ticket, _, queued_at, future, run = self._waiting[0]
        earlier = self.arrivals.blocking(ticket, self._started)
        if earlier and not self._closed:
            if time.monotonic() - queued_at < self.arrivals.max_wait_s:
                return None
            self.arrivals.give_up(earlier, ticket)
        heapq.heappop(self._waiting)
        self._started.add(ticket)
        return ticket, future, run

    def _work(self) -> None:
        while True:
            with self._changed:
                self._idle += 1
                while (work := self._next()) is None and not (self._closed and not self._waiting):
                    self._changed.wait(1.0 if self._waiting else None)
                self._idle -= 1
                if work is None:
                    return
            ticket, future, run = work
            try:
                with self.arrivals.holding(ticket):  # the listener's ticket, however it ends
                    if future.set_running_or_notify_cancel():
                        try:
                            future.set_result(run())
                        except BaseException as exc:  # Bolt's runner catches listener errors itself
                            future.set_exception(exc)
            finally:
                with self._changed:
                    self._started.discard(ticket)
