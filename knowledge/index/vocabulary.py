"""The index's vocabulary (its words and their chunk frequencies: knowledge/query.py, Vocabulary),
kept for the index's current version. Building it reads every chunk's text (~1 s at 10k chunks), so
it is built once per version, by one thread at a time: a question that finds it out of date while
another thread builds it waits for that build instead of doing its own."""

from __future__ import annotations

import threading
from collections.abc import Callable

from knowledge.query import Vocabulary


class IndexVocabulary:
    """`current()`: the vocabulary of the version `version()` reports, built from `texts()` when it changed."""

    def __init__(self, version: Callable[[], int], texts: Callable[[], list[str | None]]) -> None:
        self._version = version
        self._texts = texts
        self._known: tuple[int, Vocabulary] | None = None  # swapped whole: readers see the old or the new
        self._building = threading.Lock()

    def current(self) -> Vocabulary:
        version = self._version()
        known = self._known
        if known is not None and known[0] == version:
            return known[1]
        with self._building:
            known = self._known  # built meanwhile, by the thread this one waited for?
            if known is None or known[0] != version:
                known = self._build()
        return known[1]

    def refresh(self) -> None:
        """After a write: rebuilt now when it was in use, so that the next question need not wait."""
        if self._known is not None:
            with self._building:
                self._build()

    def forget(self) -> None:
        with self._building:
            self._known = None

    def _build(self) -> tuple[int, Vocabulary]:
        """With `_building` held."""
        version = self._version()
        self._known = (version, Vocabulary([text or "" for text in self._texts()]))
        return self._known
