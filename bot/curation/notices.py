"""In `vraagbaak serve`: owners hear of a curated answer suspended by another process (a
`vraagbaak index` on the command line, another replica) within seconds, not after this process's
own next re-index. The curated store is asked every `interval_s` which owners were not told yet
(one small query); the observers (the Slack DM) are told when that set changes, and a notice that
failed is tried again after `retry_s`."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.curation.answers import CuratedAnswers

log = logging.getLogger(__name__)

INTERVAL_S = 5.0
RETRY_S = 300.0


class SuspensionWatch:
    """A background thread that tells waiting owners; `start()` and `stop()`."""

    def __init__(self, curated: "CuratedAnswers", *, interval_s: float = INTERVAL_S, retry_s: float = RETRY_S) -> None:
        self.curated, self.interval_s, self.retry_s = curated, interval_s, retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: frozenset[str] = frozenset()
        self._tried_at = 0.0

    def start(self) -> "SuspensionWatch":
        self._thread = threading.Thread(target=self._watch, name="curated-suspensions", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def check(self) -> None:
        """One look: tells the observers when owners wait that did not wait before (or a retry is due)."""
        waiting = frozenset(self.curated.waiting_owners())
        if not waiting:
            self._seen = waiting
            return
        if waiting == self._seen and time.monotonic() - self._tried_at < self.retry_s:
            return
        self._seen, self._tried_at = waiting, time.monotonic()
        log.info("%d suspended curated answer(s) whose owner was not told yet", len(waiting))
        self.curated.tell_waiting_owners()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.check()
            except Exception:  # a locked or missing store now must not end the watch
                log.exception("looking for suspended curated answers failed")
