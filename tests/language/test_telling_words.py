"""The words of an answer or passage that tell something: what an answer's grounding compares."""

from language.questions import telling_words


def test_telling_words_keep_subjects_and_numbers_and_leave_out_filler_and_light_words():
    words = telling_words("Je hebt bij een werkweek van 40 uur recht op 25 vakantiedagen per jaar, zeg maar.")
    assert words == ["werkweek", "40", "uur", "recht", "25", "vakantiedagen", "jaar"]


def test_telling_words_are_each_given_once_in_lower_case():
    assert telling_words("Verlof, verlof en nog eens VERLOF in 2026") == ["verlof", "2026"]


def test_words_that_refer_back_or_only_say_how_much_tell_nothing():
    assert telling_words("Dat is daarom niet altijd meer zo, want het kan anders.") == []
