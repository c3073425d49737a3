"""When two spellings are the same word: each caller names its mode, and the modes differ exactly
where searching may be generous and comparing two questions may not."""

from __future__ import annotations

import pytest

from language.compounds import is_head, is_part, joins_into
from language.matching import Matching, forms_in, one_typo_apart, same_word

SEARCH, PRECISE = Matching.SEARCH, Matching.PRECISE


def test_search_counts_inflections_and_compound_parts():
    assert same_word("goedkeurt", "goedkeuren", mode=SEARCH) and same_word("parkeren", "parkeer", mode=SEARCH)
    assert same_word("vergunning", "parkeervergunning", mode=SEARCH)  # end of a compound
    assert same_word("thuiswerk", "thuiswerkvergoeding", mode=SEARCH)  # start of a compound
    assert not same_word("park", "parkeervergunning", mode=SEARCH)  # a short beginning is not a compound part
    assert not same_word("kantoor", "kantine", mode=SEARCH)


def test_precise_counts_inflections_separable_verbs_and_typos_but_not_compound_parts():
    assert same_word("ziekmelden", "ziekmelding", mode=PRECISE) and same_word("uitbetaald", "betaald", mode=PRECISE)
    assert same_word("vakantiedagn", "vakantiedagen", mode=PRECISE)  # one typo
    assert not same_word("dagen", "vakantiedagen", mode=PRECISE)  # a compound asks something narrower


@pytest.mark.parametrize("word, other, search, precise", [
    ("vergunning", "parkeervergunning", True, False),  # a compound part: found, but not the same question
    ("vakantedagen", "vakantiedagen", False, True),  # a typo: search falls back to it (forms_in), not here
    ("uitbetaald", "betaald", False, True),  # a separable verb prefix (searching: "betaald" is a part)
    ("2024", "20245", True, False),  # numbers: words like any other when searching, only themselves here
    ("parkeer", "parkeerder", True, True),  # an inflection in both
    ("verlofdag", "verlofdagen", True, True),
])
def test_the_modes_differ_where_documented(word, other, search, precise):
    assert same_word(word, other, mode=SEARCH) is search
    assert same_word(word, other, mode=PRECISE) is precise


def test_search_is_not_symmetric_the_question_word_is_the_part():
    assert same_word("vergunning", "parkeervergunning", mode=SEARCH)
    assert not same_word("parkeervergunning", "vergunning", mode=SEARCH)
    assert same_word("betaaldag", "betaaldatum", mode=PRECISE) == same_word("betaaldatum", "betaaldag", mode=PRECISE)


def test_forms_fall_back_to_a_typo_only_when_nothing_else_matches():
    words = {"developer", "developers", "laptop", "parkeervergunning", "kantine"}
    assert forms_in("devloper", words) == {"developer", "developers"}  # one typo from a word, then its forms
    assert forms_in("developer", words) == {"developer", "developers"}
    assert forms_in("vergunning", words) == {"parkeervergunning"}
    assert forms_in("kantoor", words) == set()  # two letters off: nothing
    assert forms_in("pc", {"pc", "pcs"}) == {"pc"}  # a short word: only itself


def test_one_typo():
    assert one_typo_apart("vakantiedagn", "vakantiedagen") and one_typo_apart("recrods", "records")
    assert one_typo_apart("laptop", "laptap") and not one_typo_apart("vakantie", "vakantiedagen")


def test_compound_rules():
    assert is_part("vergunning", "parkeervergunning") and not is_part("jaar", "kalenderjaar")
    assert is_head("jaar", "kalenderjaar") and not is_head("kalender", "kalenderjaar")
    assert joins_into("ziek", "meld", "ziekmelden") and joins_into("kennisbank", "artikel", "kennisbankartikel")
    assert not joins_into("ziek", "meld", "meldziek")
