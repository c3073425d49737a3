"""The word lists are written the way the words are compared: lower case, Unicode-normalised."""

from __future__ import annotations

import unicodedata

import language.words as words
from language.tokens import words_of


def _lists() -> dict[str, list[str]]:
    return {name: [w for w in value if isinstance(w, str)] for name, value in vars(words).items()
            if not name.startswith("_") and isinstance(value, (frozenset, tuple, dict))}


def test_every_listed_word_is_written_as_text_is_compared():
    """words_of() lowers and NFKC-normalises text: a listed word in capitals or another Unicode form
    would never match anything."""
    lists = _lists()
    assert {"DUTCH_FILLER", "ENGLISH_FILLER", "ACKNOWLEDGEMENTS", "QUESTION_WORDS", "ABBREVIATIONS"} <= set(lists)
    wrong = {name: [w for w in items if w != unicodedata.normalize("NFKC", w).lower() or w != w.strip()]
             for name, items in lists.items()}
    assert {name: items for name, items in wrong.items() if items} == {}


def test_the_unions_hold_their_parts():
    assert words.FILLER_WORDS == words.DUTCH_FILLER | words.ENGLISH_FILLER
    assert words.FUNCTION_WORDS == words.DUTCH_FUNCTION_WORDS | words.ENGLISH_FUNCTION_WORDS
    assert len(words.DUTCH_MONTHS) == len(words.ENGLISH_MONTHS) == 12 and len(words.DUTCH_WEEKDAYS) == 7
    assert words.MONTHS >= {"januari", "january", "mei", "may"} and "vrijdag" in words.WEEKDAYS


def test_single_words_survive_tokenising_whole():
    """A list of single words is compared against words_of(): each must be one token."""
    for name in ("DUTCH_FILLER", "ENGLISH_FILLER", "DUTCH_FUNCTION_WORDS", "ENGLISH_FUNCTION_WORDS", "GENERIC_WORDS",
                 "LIGHT_WORDS", "QUESTION_WORDS", "MODAL_VERBS", "FOLLOW_UP_OPENERS", "REFERRING_WORDS", "MONTHS"):
        split = [w for w in _lists()[name] if words_of(w) != [w] and "'" not in w]
        assert split == [], name
