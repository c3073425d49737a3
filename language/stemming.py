"""Words -> the terms the full-text index keeps for them. LanceDB's full-text analyser is built from
tantivy's filters (lower case, a Snowball stemmer, ASCII folding: knowledge/index/store.py), so the
same filters here say which spellings the index already takes for one word ("vrijwilligers" and
"vrijwilliger" both "vrijwil"; "financien" and "financiën" both "financien") and which it never will.
"""

from __future__ import annotations

import threading
from functools import lru_cache


class IndexTerms:
    """`terms(word)`: what the full-text index makes of `word` in `language` (as LanceDB names it,
    e.g. "Dutch")."""

    def __init__(self, language: str = "Dutch") -> None:
        import tantivy

        self.language = language
        self._analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                          .filter(tantivy.Filter.lowercase())
                          .filter(tantivy.Filter.stemmer(language.lower()))
                          .filter(tantivy.Filter.ascii_fold())
                          .build())
        self._lock = threading.Lock()  # one analyser, used by every question's thread

    def terms(self, word: str) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._analyzer.analyze(word))


@lru_cache(maxsize=4)
def index_terms(language: str = "Dutch") -> IndexTerms:
    """One analyser per language."""
    return IndexTerms(language)
