"""The kinds of value a question asks for, and whether a text holds one: a year says when, not how
many; a date, a time of day, a duration and a version number each have their own shape."""

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


def test_a_date_a_time_a_duration_and_a_version_are_asked_for():
    assert asked_value("sinds wanneer kan Tellius mee in de generieke akte?").kind == "date"
    assert asked_value("op welke datum wordt de stylesheet uitgezet?").kind == "date"
    assert asked_value("voor hoe laat moet de brief bij de receptie liggen").kind == "time"
    assert asked_value("hoe lang duurt het voordat Logius een aansluiting goedkeurt?").kind == "duration"
    assert asked_value("binnen welke termijn moeten we reageren?").kind == "duration"
    assert asked_value("how long does the approval take?").kind == "duration"
    # "hoe lang" may ask a length: such a question asks for a number (the amount rule), not a time.
    assert asked_value("hoe lang moet mijn wachtwoord zijn?") is None
    assert asked_value("welke kubernetes versie is minimaal nodig?").kind == "version"
    # "wanneer" alone as often asks under what condition: nothing to check a text for.
    assert asked_value("wat is een transactionele outbox en wanneer heb je die nodig?") is None


def test_each_kind_is_found_only_where_a_text_holds_such_a_value():
    date = asked_value("sinds wanneer is HSTS verplicht?")
    assert holds_value(date, "HSTS is verplicht sinds 1 juli 2023.")
    assert not holds_value(date, "HSTS is verplicht voor alle websites van de overheid.")
    time = asked_value("hoe laat moet ik er zijn?")
    assert holds_value(time, "Je wordt om 9.00 uur verwacht bij de receptie.")
    assert not holds_value(time, "Je wordt verwacht bij de receptie; je buddy haalt je op.")
    duration = asked_value("hoe lang duurt de beoordeling van een aansluiting?")
    assert holds_value(duration, "De beoordeling duurt meestal drie werkdagen.")
    assert holds_value(duration, "Een aansluiting wordt direct beoordeeld.")
    assert not holds_value(duration, "Logius beoordeelt de aansluiting in 2 stappen.")
    version = asked_value("welke kubernetes versie is minimaal nodig om compliant te zijn?")
    assert holds_value(version, "Haven vraagt Kubernetes 1.28 of nieuwer.")
    assert holds_value(version, "Gebruik versie 3 van de standaard.")
    assert not holds_value(version, "Haven vraagt een recente versie van Kubernetes op een ondersteund systeem.")
