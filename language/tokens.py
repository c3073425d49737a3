"""Text -> words: Unicode normalised (NFKC: "ﬁ" is "fi", a non-breaking space a space), lower case,
punctuation dropped. Each way of cutting a text into words is here once, named for what it keeps.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
# Letters with an apostrophe or hyphen inside ("m'n", "wifi-wachtwoord"), no digits; case kept.
LETTER_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CHAT_WORD = re.compile(r"[\w']+")
_LATIN_WORD = re.compile(r"[a-zà-ÿ']+")


def normalise(text: str) -> str:
    """Unicode-normalised (NFKC), single-spaced text without spaces at its ends."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def words_of(text: str) -> list[str]:
    """The words of a text as an index counts them: NFKC, lower case, runs of letters and digits
    ("Hé, ﬁets-Stalling!" -> hé, fiets, stalling)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def letter_words(text: str) -> list[str]:
    """Words of letters (an apostrophe or hyphen inside one kept), case kept, numbers left out."""
    return LETTER_WORD.findall(text)


def chat_words(text: str) -> list[str]:
    """The words of a chat message, lower case, an apostrophe kept inside ("m'n", "that's")."""
    return _CHAT_WORD.findall(text.lower())


def latin_words(text: str) -> list[str]:
    """Lower-case runs of Latin letters and apostrophes, digits left out: what language detection
    counts (a Dutch "ij", an English "-ing", "'s" or "'t")."""
    return _LATIN_WORD.findall(text.lower())
