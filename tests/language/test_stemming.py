"""The full-text index's terms for a word, as LanceDB's Dutch analyser makes them."""

from __future__ import annotations

from language.stemming import index_terms


def test_inflections_and_accents_are_one_term_and_other_words_are_not():
    terms = index_terms("Dutch").terms
    assert terms("vrijwilligers") == terms("vrijwilliger") == terms("Vrijwilliger")
    assert terms("financiën") == terms("financien")
    assert terms("vrijwillger") != terms("vrijwilliger")  # a typo is another term to the index
    assert terms("kregen") == terms("kreeg")  # not always a prefix of the word
