"""The values a text gives of the kind a question asks for, and when two of them agree: what tells
two documents' answers apart (bot/answering/disagreement.py)."""

from __future__ import annotations

import pytest

from language.dates import spoken_date
from language.values import AskedValue, same_value, values_in


@pytest.mark.parametrize("kind, text, expected", [
    ("date", "De aanvraag moet uiterlijk 1 maart 2025 binnen zijn.", [(2025, 3, 1)]),
    ("date", "Indienen voor 15 april of uiterlijk 01-05-2025.", [(0, 4, 15), (2025, 5, 1)]),
    ("date", "Sinds 2021 gelden deze regels.", [(2021, 0, 0)]),
    ("duration", "Je krijgt binnen drie werkdagen antwoord, uiterlijk na 2 weken.", [(3, "werkdag"), (2, "week")]),
    ("price", "Een parkeerkaart kost € 12,50 per maand.", [(12.5,)]),
    ("percentage", "De vergoeding is 80 procent van je loon.", [(80.0,)]),
    ("time", "De receptie is open vanaf 8:30 uur.", [(8, 30)]),
    ("version", "Gebruik versie 7.0 van het model.", [(7,)]),
])
def test_values_in(kind, text, expected):
    assert [v.key for v in values_in(AskedValue(kind), text)] == expected


def test_a_count_needs_its_unit():
    assert [v.key for v in values_in(AskedValue("count", "vakantiedagen"), "Je krijgt 25 vakantiedagen en 3 extra.")] \
        == [(25, "vakantiedagen")]
    assert values_in(AskedValue("count"), "Artikel 3 lid 2.") == [], "without a unit any number would do"


def test_a_day_without_its_year_agrees_with_that_day_in_any_year():
    [bare] = values_in(AskedValue("date"), "voor 1 maart")
    [full] = values_in(AskedValue("date"), "voor 1 maart 2025")
    [other] = values_in(AskedValue("date"), "voor 15 april 2025")
    assert same_value(bare, full) and not same_value(full, other)


@pytest.mark.parametrize("language, expected", [("nl", "1 januari 2025"), ("en", "1 January 2025")])
def test_spoken_date(language, expected):
    assert spoken_date("2025-01-01", language) == expected
    assert spoken_date("", language) == "" and spoken_date("gisteren", language) == ""
