"""A value derived from the index and kept for the index's current version: built once per version,
by one thread at a time (a caller that finds it out of date while another thread builds it waits for
that build instead of doing its own). The store keeps its vocabulary (vocabulary.py), its vectors
(vectors.py) and who may read its documents this way; warming.py builds them ahead of the questions."""

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
        return self._up_to_date()[0]

    def warm(self) -> bool:
        """Built now for the current version unless it is already, so that the next caller need not
        wait (warming.py); whether it was built now."""
        return self._up_to_date()[1]

    def _up_to_date(self) -> tuple[T, bool]:
        version = self._version()
        known = self._known
        if known is not None and known[0] == version:
            return known[1], False
        with self._building:
            known = self._known  # built meanwhile, by the thread this one waited for?
            if known is not None and known[0] == version:
                return known[1], False
            known = self._known = self._build()
        return known[1], True

    def forget(self) -> None:
        with self._building:
            self._known = None
