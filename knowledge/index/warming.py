"""What a search keeps per version of the index (its vocabulary, vectors and document titles: kept.py) read
ahead of the questions. Read on demand, the first question after a re-index waited for them (the
vocabulary reads every chunk's text: ~1 s at 10k chunks); a background thread reads them instead: at
once when this process's re-index run ends (`now()`), and otherwise every `interval_s` seconds, so that
a replica whose index another replica re-indexed is up to date soon after. One copy per process: a
question that arrives while the thread reads them waits for that read (kept.py) instead of making its
own, and the previous version's copy goes as soon as the new one is read."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

INTERVAL_S = 10.0  # a look costs a read of the index's version; a new version is read at most this late


class IndexWarmer:
    """Calls `warm` (ChunkStore.warm) on a thread of its own: at start, on `now()` and every
    `interval_s` seconds; `start()` and `stop()`."""

    def __init__(self, warm: Callable[[], object], *, interval_s: float = INTERVAL_S) -> None:
        self._warm = warm
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "IndexWarmer":
        self._thread = threading.Thread(target=self._run, name="index-warmer", daemon=True)
        self._thread.start()
        return self

    def now(self) -> None:
        """Looks at once (a re-index run of this process ended) instead of at the next interval."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                read = self._warm()
                if read:
                    log.info("read ahead of the questions for the index's new version: %s", read)
            except Exception:  # an index being rebuilt or unreachable now: the questions read it themselves
                log.warning("could not read the index ahead of the questions", exc_info=True)
            self._wake.wait(self.interval_s)
            self._wake.clear()
