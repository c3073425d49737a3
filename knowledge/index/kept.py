"""A value derived from the index and kept for the index's current version: built once per version,
by one thread at a time (a caller that finds it out of date while another thread builds it waits for
that build instead of doing its own). The store keeps its vocabulary (vocabulary.py) and its vectors
(vectors.py) this way."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class KeptPerVersion(Generic[T]):
    """`current()`: the value of the version `version()` reports, from `build()` when the version
    changed; `build()` returns the version it read with the value."""

    def __init__(self, version: Callable[[], int], build: Callable[[], tuple[int, T]]) -> None:
        self._version = version
        self._build = build
        self._known: tuple[int, T] | None = None  # swapped whole: readers see the old or the new
        self._building = threading.Lock()

    def current(self) -> T:
        version = self._version()
        known = self._known
        if known is not None and known[0] == version:
            return known[1]
        with self._building:
            known = self._known  # built meanwhile, by the thread this one waited for?
            if known is None or known[0] != version:
                known = self._known = self._build()
        return known[1]

    def refresh(self) -> None:
        """After a write: rebuilt now when it was in use, so that the next caller need not wait."""
        if self._known is not None:
            with self._building:
                self._known = self._build()

    def forget(self) -> None:
        with self._building:
            self._known = None
