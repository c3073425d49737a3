"""A chat message -> the terms the full-text index should match, and the index's vocabulary: which
of its words count as a question's word (language/matching.py) and how specific each is.

Employees write the way they talk: "hoe zit het eigenlijk met ...", "weet iemand even ...". The
index's Dutch analyser drops the Snowball stop words (de, het, hoe, ...), but not chat filler,
question words or verbs of asking, and not English function words (language/words.py,
FILLER_WORDS); in a BM25 sum every such word that happens to occur in a passage pulls it up.
"""

from __future__ import annotations

import math

from language.matching import forms_in
from language.tokens import words_of
from language.words import FILLER_WORDS


def full_text_query(question: str, stop_words: frozenset[str] = FILLER_WORDS) -> str:
    """The question's words without chat filler; all of them when nothing else is left."""
    words = words_of(question)
    kept = [w for w in words if w not in stop_words]
    return " ".join(kept or words)


class Vocabulary:
    """The words of an index and in how many chunks each occurs. A question word counts as a word
    of the index when they differ only by Dutch inflection (the same beginning, at most a few
    letters more or less: "goedkeurt"/"goedkeuren"), when it is the beginning or end of a compound
    ("vergoeding" in "thuiswerkvergoeding"), or, if neither, when it is one typo (one letter
    inserted, dropped, changed or two swapped) away from a word of the index ("devloper"):
    language/matching.py, `forms_in`."""

    def __init__(self, texts: list[str]) -> None:
        self.chunks = len(texts)
        postings: dict[str, set[int]] = {}
        for n, text in enumerate(texts):
            for word in set(words_of(text)):
                postings.setdefault(word, set()).add(n)
        self._postings = postings
        self._forms: dict[str, frozenset[str]] = {}

    def forms(self, word: str) -> frozenset[str]:
        """The index's words that count as `word` (empty: the index has never seen it)."""
        word = word.lower()
        if word not in self._forms:
            self._forms[word] = frozenset(forms_in(word, self._postings.keys()))
        return self._forms[word]

    def chunk_frequency(self, word: str) -> int:
        """In how many chunks the word occurs, in any of its forms."""
        return len(set().union(*(self._postings[f] for f in self.forms(word))))

    def idf(self, word: str) -> float:
        """How specific the word is for this index: rare words weigh more, unseen ones most."""
        return math.log((self.chunks + 1) / (self.chunk_frequency(word) + 0.5))
