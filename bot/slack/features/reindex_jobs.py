"""Re-index runs asked for in Slack (the Home tab's button, `/vraagbaak reindex`). A run takes minutes,
so it goes on a thread of its own, which only `ReindexJobs` starts: one at a time from Slack (a second
click is refused while one runs or waits for its turn), none once Vraagbaak is stopping, and a
shutdown waits for the one in progress to report its result."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.indexing.reindexer import Reindexer

log = logging.getLogger(__name__)

# started: it runs now; queued: it waits for a run of the schedule or another process
# (reindex_when_busy = "wait"); busy: refused, a run is going on; elsewhere: refused, another replica
# runs one (never waited for: that run already reads every document); stopping: refused, Vraagbaak stops.
Start = Literal["started", "queued", "busy", "elsewhere", "stopping"]


class ReindexJobs:
    """Starts and tracks the Slack re-index threads (thread-safe); one instance serves all listeners."""

    def __init__(self, reindexer: "Reindexer", *, wait_when_busy: bool) -> None:
        self.reindexer = reindexer
        self.wait_when_busy = wait_when_busy
        self._lock = threading.Lock()
        self._running = False
        self._closing = False
        self._thread: threading.Thread | None = None

    def start(self, run: Callable[[bool], None], *, announce: Callable[[Start], None],
              name: str = "slack-reindex") -> Start:
        """Decides whether a run may go ahead; if so, tells the asker (`announce("started")` or
        `announce("queued")`, before anything of the run is reported) and calls `run(wait)` on a
        tracked thread, `wait` saying whether the run waits for one going on elsewhere
        (reindex_when_busy). Returns what was decided; a refusal is the caller's to tell."""
        with self._lock:
            state = self._decide()
            if state not in ("started", "queued"):
                return state
            self._running = True
            self._thread = thread = threading.Thread(target=self._work, args=(run, self.wait_when_busy),
                                                     name=name, daemon=True)
        try:
            announce(state)
        except BaseException:
            self._finished()
            raise
        thread.start()
        return state

    def _decide(self) -> Start:
        if self._closing:
            return "stopping"
        if self._running:
            return "busy"
        if self.reindexer.running_elsewhere():
            return "elsewhere"
        if self.reindexer.is_running():
            return "queued" if self.wait_when_busy else "busy"
        return "started"

    def _work(self, run: Callable[[bool], None], wait: bool) -> None:
        try:
            run(wait)
        except Exception:
            log.exception("a re-index asked for in Slack failed")
        finally:
            self._finished()

    def _finished(self) -> None:
        with self._lock:
            self._running = False

    def running(self) -> bool:
        with self._lock:
            return self._running

    def close(self, timeout_s: float) -> bool:
        """Refuses new runs and waits up to `timeout_s` for the one in progress (stop the Reindexer
        first, so that it ends); True when none is left."""
        with self._lock:
            self._closing = True
            thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(max(timeout_s, 0.0))
            if thread.is_alive():
                log.warning("the re-index asked for in Slack did not report its result before the stop")
                return False
        return True
