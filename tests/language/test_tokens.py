"""Text -> words, each way of cutting named for what it keeps."""

from __future__ import annotations

from language.tokens import chat_words, latin_words, letter_words, normalise, words_of


def test_index_words_fold_unicode_case_and_punctuation():
    assert words_of("Hé, ﬁets-Stalling!") == ["hé", "fiets", "stalling"]
    assert words_of("Artikel 3, lid 2") == ["artikel", "3", "lid", "2"]


def test_normalise_folds_unicode_and_spaces_but_keeps_case():
    assert normalise("  ﬁets\n\tStalling\u00a0 ") == "fiets Stalling"


def test_letter_words_keep_case_and_inner_apostrophes_and_hyphens_but_no_numbers():
    assert letter_words("Jan's wifi-wachtwoord staat op 12 juni klaar") == ["Jan's", "wifi-wachtwoord", "staat", "op",
                                                                            "juni", "klaar"]


def test_chat_and_latin_words_keep_apostrophes_and_differ_on_digits():
    assert chat_words("Top, m'n dank! 10") == ["top", "m'n", "dank", "10"]
    assert latin_words("That's 10 things") == ["that's", "things"]
