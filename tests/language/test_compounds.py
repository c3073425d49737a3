"""Compounds split into two known words, with or without a linking s, e or en."""

from __future__ import annotations

from language.compounds import split_compound

KNOWN = {"vakantie": 12, "dagen": 30, "veiligheid": 4, "regels": 9, "reis": 3, "kosten": 8, "vergoeding": 6,
         "reiskosten": 2, "akte": 40, "modellen": 5, "dag": 50}


def test_two_known_words_written_as_one_are_split():
    assert split_compound("vakantiedagen", KNOWN) == ("vakantie", "dagen")
    assert split_compound("aktemodellen", KNOWN) == ("akte", "modellen")


def test_a_linking_s_between_the_parts_is_dropped():
    assert split_compound("veiligheidsregels", KNOWN) == ("veiligheid", "regels")


def test_of_several_splits_the_one_with_the_more_common_rarer_part_wins():
    # reiskosten + vergoeding (rarer part: 2) vs reis + kostenvergoeding (unknown): only one is whole
    assert split_compound("reiskostenvergoeding", KNOWN) == ("reiskosten", "vergoeding")


def test_no_split_without_two_known_parts_of_four_letters_or_more():
    assert split_compound("vakantiegeld", KNOWN) == ()  # "geld" is not known
    assert split_compound("dagdelen", KNOWN) == ()  # "dag" is too short to count as a part
    assert split_compound("vakantie", KNOWN) == ()
