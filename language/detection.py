"""Dutch or English? A count of function words: enough for questions, and no model to load."""

from __future__ import annotations

from language.tokens import latin_words
from language.words import DUTCH_FUNCTION_WORDS, ENGLISH_FUNCTION_WORDS


def detect_language(text: str) -> str:
    """'en' when the text reads as English, else 'nl' (the default)."""
    words = latin_words(text)
    dutch = sum(w in DUTCH_FUNCTION_WORDS for w in words) + sum("ij" in w for w in words) * 0.5
    english = sum(w in ENGLISH_FUNCTION_WORDS for w in words) + \
        sum(w.endswith(("ing", "'s", "'t")) for w in words) * 0.5
    return "en" if english > dutch else "nl"
