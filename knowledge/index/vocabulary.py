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

    def __init__(self, version: Callable[[], int], texts: Callable[[], list[str | None]],
                 language: str = "Dutch") -> None:
        super().__init__(version, lambda: (version(), _built([text or "" for text in texts()], language)))


def _built(texts: list[str], language: str) -> Vocabulary:
    """The vocabulary with its words' full-text terms read too (in the full-text analyser's
    `language`), so that no question waits for them (~10 ms per 10,000 words)."""
    vocabulary = Vocabulary(texts, index_language=language)
    vocabulary.index_terms  # noqa: B018 - read for its side effect: it is kept
    return vocabulary
