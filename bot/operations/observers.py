"""Observers: the one way a part tells others that something happened (a re-index run ended, curated
answers were suspended, the gaps digest is ready, a question is about to be answered). The part owns
an `Observers` and calls `notify`; the composition root (bot/services.py, bot/slack/composition.py)
adds the observers. Each observer is called in turn, in the order it was added; one that fails is
logged and keeps the news from none of the others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class Observers(Generic[P]):
    """Who is told when `what` happens; safe to add to and notify from several threads."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._observers: list[Callable[P, object]] = []
        self._lock = threading.Lock()

    def add(self, observer: Callable[P, object]) -> None:
        with self._lock:
            self._observers.append(observer)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._observers)

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> bool:
        """Tells every observer; True when none of them failed (a failure is logged, never raised)."""
        with self._lock:
            observers = list(self._observers)
        told = True
        for observer in observers:
            try:
                observer(*args, **kwargs)
            except Exception:
                told = False
                log.exception("%s: observer %r failed", self.what, observer)
        return told
