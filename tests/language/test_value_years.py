"""A year says when, not how many: a count of years (or of anything) is not found in "2021"."""

from __future__ import annotations

from language.values import asked_value, holds_value


def test_a_year_is_no_count_of_years():
    asked = asked_value("voor hoeveel jaar mag je de erfpachtcanon afkopen?")
    assert asked is not None and asked.kind == "count"
    assert not holds_value(asked, "De regeling voor het afkopen van de canon geldt sinds 2021 (jaar van invoering).")
    assert holds_value(asked, "De canon mag worden afgekocht voor ten hoogste vijftig jaar.")
    assert holds_value(asked, "De canon is afgekocht voor een periode van 10 jaar.")


def test_an_english_how_many_is_not_answered_by_a_year_alone():
    asked = asked_value("How many vacation days do I get?")
    assert asked is not None
    assert not holds_value(asked, "Het vakantiebeleid geldt vanaf 2024 voor alle medewerkers.")
    assert holds_value(asked, "Je krijgt 25 vakantiedagen per jaar.")
