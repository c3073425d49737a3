"""Full-text query terms: chat filler and English function words go, the subject stays."""

from __future__ import annotations

from knowledge.query import full_text_query, normalise_question


def test_chat_filler_is_dropped_and_subject_words_kept():
    terms = full_text_query("hoe zit het eigenlijk met de vakantiedagen, weet iemand dat even?").split()
    assert "vakantiedagen" in terms
    assert not {"hoe", "zit", "eigenlijk", "weet", "iemand", "even"} & set(terms)


def test_english_function_words_are_dropped():
    assert full_text_query("How do I request parental leave?") == "request parental leave"


def test_a_question_of_filler_only_keeps_its_words():
    assert full_text_query("hoe zit dat?") == "hoe zit dat"


def test_normalise_question_folds_unicode_and_spaces():
    assert normalise_question("  ﬁets\n\tstalling  ") == "fiets stalling"
