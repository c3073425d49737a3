"""The index's vocabulary (its words and their chunk frequencies: knowledge/query.py, Vocabulary),
kept for the index's current version. Building it reads every chunk's text (~1 s at 10k chunks), so
it is built once per version, by one thread at a time: a question that finds it out of date while
another thread builds it waits for that build instead of doing its own."""

from __future__ import annotations

from collections.abc import Callable

from knowledge.index.kept import KeptPerVersion
from knowledge.query import Vocabulary


class IndexVocabulary(KeptPerVersion[Vocabulary]):
    """`current()`: the vocabulary of the version `version()` reports, built from `texts()` when it changed."""

    def __init__(self, version: Callable[[], int], texts: Callable[[], list[str | None]]) -> None:
        super().__init__(version, lambda: (version(), Vocabulary([text or "" for text in texts()])))
