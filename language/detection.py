"""Dutch or English? A count of function words: enough for questions and for a collection of
documents, and no model to load."""

from __future__ import annotations

from typing import Callable

from language.tokens import latin_words
from language.words import DUTCH_FUNCTION_WORDS, ENGLISH_FUNCTION_WORDS


def detect_language(text: str) -> str:
    """'en' when the text reads as English, else 'nl' (the default)."""
    words = latin_words(text)
    dutch = sum(w in DUTCH_FUNCTION_WORDS for w in words) + sum("ij" in w for w in words) * 0.5
    english = sum(w in ENGLISH_FUNCTION_WORDS for w in words) + \
        sum(w.endswith(("ing", "'s", "'t")) for w in words) * 0.5
    return "en" if english > dutch else "nl"


# Function words of one language only: "is", "over" or "die" say nothing about which.
_ONLY_DUTCH = DUTCH_FUNCTION_WORDS - ENGLISH_FUNCTION_WORDS
_ONLY_ENGLISH = ENGLISH_FUNCTION_WORDS - DUTCH_FUNCTION_WORDS


def collection_language(texts_with: Callable[[str], int]) -> str:
    """'en' when most texts of a collection read as English, else 'nl': `texts_with(word)` says in
    how many of them a word occurs (an index's chunk frequency)."""
    dutch = sum(texts_with(w) for w in _ONLY_DUTCH)
    english = sum(texts_with(w) for w in _ONLY_ENGLISH)
    return "en" if english > dutch else "nl"
