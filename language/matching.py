"""When are two spellings the same word? Dutch inflection ("parkeren"/"parkeer"), compounds
("vergunning" in "parkeervergunning"), separable verbs ("uitbetaald"/"betaald") and one typo
("vakantiedagn"), without a dictionary or a stemmer.

Two callers need different answers, so each names its mode (:class:`Matching`): searching for what a
text is about may be generous (a document about the "parkeervergunning" is about the "vergunning");
deciding that two questions ask the same must not be ("vakantiedagen" asks something narrower than
"dagen").
"""

from __future__ import annotations

import os.path
from enum import Enum
from typing import Collection

from language.compounds import is_part
from language.words import SEPARABLE_PREFIXES

MIN_STEM = 4  # shorter words are only the same as themselves
MAX_ENDING = 3  # letters an inflection may add at the end ("vergoeding"/"vergoedingen")
MIN_SHARED_STEM = 5  # letters two forms share when both end differently ("parkeren"/"parkeer")
MIN_TYPO_LETTERS = 5  # shorter words are too often one letter away from another real word
MIN_PREFIXED_REST = 5  # letters after a separable prefix ("uit" + "betaald")


class Matching(Enum):
    """How loosely two words may differ and still be one word."""

    SEARCH = "search"
    """A question's word against a text's words, to find what the text is about. The same: an
    inflection (the question's word may end in at most 3 letters after the shared stem, the text's
    in 4: "goedkeurt"/"goedkeuren"), and the question's word (5+ letters) as the first or last part
    of a compound ("vergunning"/"parkeervergunning"). Not symmetric: `word` is the question's.
    Numbers are words like any other. A typo is not the same word here; :func:`forms_in` falls
    back to one when a word has no other form."""

    PRECISE = "precise"
    """Two questions' words, to decide they ask the same thing. The same: an inflection (4 letters
    after the shared stem on either side: "ziekmelden"/"ziekmelding"), a separable verb prefix
    ("uitbetaald"/"betaald"), one typo in a word of 5+ letters ("vakantiedagn"). Not the same: a
    compound and its part ("dagen"/"vakantiedagen": the compound asks something narrower); numbers
    other than themselves. Symmetric."""


def same_word(word: str, other: str, *, mode: Matching) -> bool:
    """Whether `word` and `other` (lower case) count as one word under `mode`."""
    if word == other:
        return True
    if mode is Matching.SEARCH:
        return _search_same(word, other)
    return _precise_same(word, other)


def _search_same(word: str, other: str) -> bool:
    if len(word) < MIN_STEM or len(other) < MIN_STEM:
        return False
    return _inflected(word, other, word_rest=MAX_ENDING, other_rest=MAX_ENDING + 1) or is_part(word, other)


def _precise_same(a: str, b: str) -> bool:
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < MIN_STEM:
        return False
    if _inflected(a, b, word_rest=MAX_ENDING + 1, other_rest=MAX_ENDING + 1):
        return True
    for prefix in SEPARABLE_PREFIXES:
        for longer, shorter in ((a, b), (b, a)):
            if longer.startswith(prefix) and len(longer) - len(prefix) >= MIN_PREFIXED_REST \
                    and _inflected(longer[len(prefix):], shorter, word_rest=MAX_ENDING + 1, other_rest=MAX_ENDING + 1):
                return True
    return min(len(a), len(b)) >= MIN_TYPO_LETTERS and one_typo_apart(a, b)


def _inflected(word: str, other: str, *, word_rest: int, other_rest: int) -> bool:
    """One is the other plus a short ending, or they share a stem of 5+ letters and each ends in at
    most its `…_rest` letters after it."""
    shared = len(os.path.commonprefix([word, other]))
    if shared == min(len(word), len(other)) and abs(len(word) - len(other)) <= MAX_ENDING:
        return True
    return shared >= MIN_SHARED_STEM and len(word) - shared <= word_rest and len(other) - shared <= other_rest


def forms_in(word: str, words: Collection[str]) -> set[str]:
    """The words of a text or index (`words`) that count as `word` when searching: the same word
    (:attr:`Matching.SEARCH`) or, when there is none, the same as a word one typo away ("devloper").
    Empty: nothing like it occurs."""
    if len(word) < MIN_STEM:
        return {word} if word in words else set()
    forms = {w for w in words if same_word(word, w, mode=Matching.SEARCH)}
    if not forms and len(word) >= MIN_TYPO_LETTERS:
        for typo in (w for w in words if one_typo_apart(word, w)):
            forms |= {w for w in words if same_word(typo, w, mode=Matching.SEARCH)}
    return forms


def one_typo_apart(a: str, b: str) -> bool:
    """One letter inserted, dropped or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]
