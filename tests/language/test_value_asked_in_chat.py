"""What "hoeveel ..." asks for as colleagues write it: the word after "hoeveel" is not always what
is counted. It may be the verb ("om hoeveel ging het"), an adjective before the noun ("hoeveel
luidruchtige activiteiten"), money ("hoeveel geld", "welk bedrag": a price, stated in euros),
time ("hoeveel tijd": a duration) or people, whom a text names by what they are."""

from __future__ import annotations

import pytest

from language.values import AskedValue, asked_about, asked_value, holds_value, in_other_words


@pytest.mark.parametrize("question", [
    "en om hoeveel ging het in 2025",
    "hoeveel denken we dit jaar aan collectebonnen te verkopen?",
])
def test_a_verb_after_hoeveel_is_not_what_is_counted(question):
    # "ging" and "denken" stand beside no number in any text: read as units they would decline.
    assert asked_value(question) is None


def test_a_noun_in_a_subordinate_clause_is_still_counted():
    asked = asked_value("weet iemand hoeveel vakantiedagen ik krijg?")
    assert asked == AskedValue("count", "vakantiedagen")


def test_the_noun_after_an_adjective_is_counted():
    asked = asked_value("hoeveel luidruchtige activiteiten mogen we per jaar organiseren?")
    assert asked == AskedValue("count", "activiteiten")
    assert holds_value(asked, "Per academiejaar zijn maximaal vijf activiteiten met overlast toegestaan.")
    assert not holds_value(asked, "Luidruchtige activiteiten worden vooraf bij de homemanager aangevraagd.")


@pytest.mark.parametrize("question", [
    "hoeveel geld hebben we aan het kasteel gegeven?",
    "hoeveel contant geld zat er nog in de kas?",
    "welk bedrag krijgt een student uit het fonds?",
    "How much money can a student get from the fund?",
])
def test_money_is_asked_as_a_price(question):
    asked = asked_value(question)
    assert asked == AskedValue("price")
    assert holds_value(asked, "Het college kent een bijdrage van € 75.000 toe.")
    assert not holds_value(asked, "Het college kent een bijdrage toe aan 3 stichtingen.")


def test_the_words_that_ask_for_money_or_time_are_not_what_it_is_asked_of():
    assert "geld" not in asked_about("hoeveel geld hebben we aan het kasteel gegeven?")
    assert "kasteel" in asked_about("hoeveel geld hebben we aan het kasteel gegeven?")
    assert "tijd" not in asked_about("hoeveel tijd kost dat?")


def test_an_amount_of_a_kind_of_money_stands_beside_its_name():
    asked = asked_value("hoeveel jeugdledensubsidie krijgt een sportclub?")
    assert asked == AskedValue("count", "jeugdledensubsidie")
    assert holds_value(asked, "De jeugdledensubsidie bedraagt € 1.250 per club.")
    assert not holds_value(asked, "De jeugdledensubsidie wordt verhoogd; de huur van de zaal kost € 1.250.")


def test_time_is_asked_as_a_duration():
    asked = asked_value("wat wordt er van je verwacht? hoeveel tijd kost dat")
    assert asked == AskedValue("duration")
    assert holds_value(asked, "Je besteedt maximaal 2 uur per week aan de vereniging.")
    assert not holds_value(asked, "Je besteedt je tijd aan de vereniging.")


def test_people_are_counted_whatever_the_text_calls_them():
    asked = asked_value("hoeveel mensen kwamen er op het congres van 2017?")
    assert asked == AskedValue("count")
    assert holds_value(asked, "| Fronteers 2017 | 5-6 oktober | Pathé Tuschinski | 566 |")


def test_a_unit_no_text_names_is_counted_in_other_words():
    asked = asked_value("hoeveel plekken zijn er bij de opleiding?")
    assert asked == AskedValue("count", "plekken")
    stated = ["De opleiding kent een numerus fixus van 60 plaatsen."]
    assert not holds_value(asked, stated[0])
    assert in_other_words(asked, stated) == AskedValue("count")
    # A text that names the unit but no number beside it is no such case: it does not count them.
    named = ["Het aantal plekken is beperkt; wie zich eerst aanmeldt, gaat voor."]
    assert in_other_words(asked, named) == asked and not holds_value(asked, named[0])


def test_a_maximum_number_of_something_is_a_count_of_it():
    asked = asked_value("is er een maximum aantal pagina's voor een collegevoorstel?")
    assert asked is not None and asked.kind == "count"
    assert holds_value(asked, "Een collegevoorstel telt ten hoogste 4 pagina's.")
    assert not holds_value(asked, "Een collegevoorstel heeft een vaste opbouw van pagina's met een besluit.")


def test_what_someone_is_paid_is_a_price():
    asked = asked_value("hoeveel krijgt de voorzitter van de commissie eigenlijk betaald per zaak?")
    assert asked == AskedValue("price")
    assert holds_value(asked, "De voorzitter ontvangt een vergoeding van € 250 per zaak.")


def test_the_number_to_call_is_a_phone_number():
    asked = asked_value("wie is de vertrouwenspersoon en op welk nummer kan ik die bellen?")
    assert asked == AskedValue("phone")
    assert holds_value(asked, "De vertrouwenspersoon is bereikbaar op 0314 353 535.")
    assert not holds_value(asked, "De vertrouwenspersoon is bereikbaar via de receptie.")


def test_a_registration_number_is_six_digits_or_more_or_an_iban():
    asked = asked_value("wat is ons kvk-nummer eigenlijk? moet het op een offerte zetten")
    assert asked == AskedValue("identifier")
    assert asked_value("op welk rekeningnummer (IBAN) moet ik de contributie overmaken?") == asked
    assert holds_value(asked, "De vereniging staat ingeschreven onder KvK-nummer 40535543.")
    assert holds_value(asked, "Maak de contributie over op NL91 ABNA 0417 1643 00.")
    assert not holds_value(asked, "De vereniging staat sinds 12 maart 2008 ingeschreven bij de KvK.")
    # A number that only appears in the question asks for nothing.
    assert asked_value("werkt de oude vista stylesheet nog? nummer 20201201000024") is None


@pytest.mark.parametrize("question, passage", [
    ("op welk huisnummer zit het wijkcentrum?", "Het wijkcentrum zit aan de Kerkstraat 12 in Doetinchem."),
    ("welk artikelnummer gaat over opzegging van het lidmaatschap?", "Artikel 7. Opzegging van het lidmaatschap."),
    ("welk kamernummer heeft de penningmeester?", "De penningmeester zit in kamer 214."),
])
def test_a_number_that_is_no_registration_number_is_not_asked_as_six_digits(question, passage):
    # A house, article or room number is short: read as a registration number, the passage that
    # states it would hold no value asked and the question would be declined.
    asked = asked_value(question)
    assert asked is None or holds_value(asked, passage)


@pytest.mark.parametrize("question, unit", [
    ("hoeveel ruimte biedt de grote zaal?", "ruimte"),
    ("hoeveel energie verbruikt het wijkcentrum per jaar?", "energie"),
    ("hoeveel koffie drinken we op een zondag?", "koffie"),
])
def test_a_noun_ending_in_e_before_its_verb_is_what_is_counted(question, unit):
    # The verb is followed by its subject ("biedt de zaal"); read as the noun, "biedt" would have to
    # stand beside the number in the passage: "de zaal biedt plaats aan velen: ruimte voor 120" declined.
    assert asked_value(question) == AskedValue("count", unit)
