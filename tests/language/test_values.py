"""The kind of value a question asks for, and whether a passage holds one."""

from __future__ import annotations

import pytest

from language.values import AskedValue, asked_value, holds_value


@pytest.mark.parametrize(("question", "expected"), [
    ("hoeveel maanden van tevoren wordt een stylesheet uitgezet?", AskedValue("count", "maanden")),
    ("hoeveel vakantiedagn krijg ik per jaar?", AskedValue("count", "vakantiedagn")),
    ("hoeveel procent korting krijg ik?", AskedValue("percentage")),
    ("welk rentepercentage rekent de bank?", AskedValue("percentage")),
    ("wat is het telefoonnummer van de helpdesk?", AskedValue("phone")),
    ("naar welk mailadres stuur ik de aanvraag?", AskedValue("email")),
    ("wat kost een eHerkenning-middel per jaar?", AskedValue("price")),
    ("hoeveel kost een abonnement?", AskedValue("price")),
    ("hoeveel mag ik declareren?", None),
    ("hoe vraag ik verlof aan?", None),
    ("How many vacation days do I have?", AskedValue("count")),  # English unit, Dutch passages
])
def test_what_a_question_asks_for(question, expected):
    assert asked_value(question) == expected


def test_a_count_needs_a_number_near_its_unit_in_any_form():
    months = AskedValue("count", "maanden")
    assert holds_value(months, "Het Kadaster kondigt dit drie maanden van tevoren aan.")
    assert holds_value(months, "Uiterlijk 6 kalendermaanden voor de datum.")  # a compound ending in the unit
    assert not holds_value(months, "Een oude stylesheet wordt tijdig uitgezet; je krijgt daarover bericht.")
    assert not holds_value(months, "Versie 12 van de stylesheet wordt uitgezet. Daarna volgen nog veel meer "
                                   "wijzigingen in de komende periode van maanden.")
    assert holds_value(AskedValue("count", "vakantiedagn"), "Je hebt recht op 25 vakantiedagen per jaar.")


def test_contact_values_are_recognised_by_their_shape():
    assert holds_value(AskedValue("phone"), "Bel de servicedesk op 088 183 2200 (werkdagen).")
    assert holds_value(AskedValue("phone"), "Telefoon: +31 (0)88-1832200")
    assert not holds_value(AskedValue("phone"), "Versie 2.6 van 12-03-2024, artikel 12.")
    assert holds_value(AskedValue("email"), "Stuur de aanvraag naar eto-beheer@kadaster.nl.")
    assert not holds_value(AskedValue("email"), "Vraag een ETO-account aan via het formulier.")
    assert holds_value(AskedValue("percentage"), "De rente is 4,22% per jaar.")
    assert holds_value(AskedValue("percentage"), "een korting van 10 procent")
    assert not holds_value(AskedValue("percentage"), "De rente staat in de offerte.")
    assert holds_value(AskedValue("price"), "Een middel op niveau EH3 kost € 25 per jaar.")
    assert holds_value(AskedValue("price"), "De lunch is gratis voor medewerkers.")
    assert not holds_value(AskedValue("price"), "Je vraagt een middel op niveau EH3 aan bij een leverancier, 2 weken.")


def test_an_english_count_question_is_answered_by_a_number_in_a_dutch_passage():
    asked = asked_value("How many vacation days do I have?")
    assert holds_value(asked, "Bij een volledige werkweek heb je recht op 25 vakantiedagen per jaar.")
    assert not holds_value(asked, "Vakantie vraag je aan in het personeelsportaal.")
