"""One definition per kind of value: what the refusal policy accepts as an answer (holds_value) and
what the line where documents disagree compares (values_in) are read from the same forms. A form
that answers without saying which value ("op vrijdag", "'s ochtends") holds one and compares with
nothing."""

from __future__ import annotations

import pytest

from language.values import AskedValue, holds_value, same_value, values_in

TEXTS = [
    "Parkeren is gratis voor medewerkers.", "Parkeren kost € 5 per dag.", "Parkeren kost 5 euro.",
    "De aanvraag moet in maart binnen zijn.", "Uiterlijk maart 2025.", "De borrel is op vrijdag.",
    "Op saturday is het kantoor dicht.", "Indienen voor 1-3.", "Betaling op de 1e van de maand.",
    "Sinds 2021 geldt dit.", "De receptie opent om 9 pm.", "We beginnen 's ochtends.", "om 8:30 uur",
    "Zie het JSON-schema imev3.0.2_schema.json.", "Gebruik versie 3 van de standaard.", "Haven vraagt 1.28.",
    "Bel 088 183 2200.", "Bel 0800-1234.", "Mail naar a@b.nl.", "De rente is 4,22%.", "60 requests per minuut",
    "Kleur #7030A0.", "Geen waarde hier.",
]
KINDS = ["date", "time", "price", "percentage", "version", "phone", "email", "rate", "colour"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_text_that_gives_a_value_holds_one(kind):
    for text in TEXTS:
        if values_in(AskedValue(kind), text):
            assert holds_value(AskedValue(kind), text), text


@pytest.mark.parametrize("kind, text, expected", [
    ("price", "Parkeren is gratis voor medewerkers.", [(0.0,)]),  # free is an amount: nothing to pay
    ("price", "Het kost € 5, gratis voor leden.", [(5.0,), (0.0,)]),
    ("date", "De aanvraag moet in maart binnen zijn.", [(0, 3, 0)]),
    ("date", "Uiterlijk maart 2025, sinds 2021.", [(2025, 3, 0)]),  # a year alone only without a day or month
    ("time", "De receptie opent om 9 pm.", [(21, 0)]),
    ("version", "Zie het JSON-schema imev3.0.2_schema.json, versie 3.0.2.", [(3, 0, 2)]),
])
def test_the_values_a_text_gives(kind, text, expected):
    assert [v.key for v in values_in(AskedValue(kind), text)] == expected


@pytest.mark.parametrize("kind, text", [
    ("date", "De borrel is op vrijdag."), ("date", "Op saturday is het kantoor dicht."),
    ("date", "Betaling op de 1e van de maand."), ("date", "Indienen voor 1-3."), ("time", "We beginnen 's ochtends."),
    ("price", "Bedragen in €."), ("version", "Zie imev3.0.2_schema.json."), ("rate", "60 requests per minuut"),
])
def test_a_value_that_does_not_say_which_answers_but_compares_with_nothing(kind, text):
    assert holds_value(AskedValue(kind), text)
    assert values_in(AskedValue(kind), text) == []


def test_a_month_agrees_with_a_day_in_it_and_not_with_another_month():
    [march] = values_in(AskedValue("date"), "in maart")
    [first] = values_in(AskedValue("date"), "op 1 maart 2025")
    [april] = values_in(AskedValue("date"), "in april")
    assert same_value(march, first) and not same_value(march, april)


def test_the_english_may_is_no_month_alone():
    assert not holds_value(AskedValue("date"), "You may bring a guest.")
    assert [v.key for v in values_in(AskedValue("date"), "Closed on 1 May 2025.")] == [(2025, 5, 1)]
