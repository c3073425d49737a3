"""What a value is asked of, and the words that are no question's subject: a rate and a colour code
are kinds of value with one shape; the clause that asks for the value and the terms it asks the
value of; an unseen term is one the index knows in no form and not as two of its words; chat
adverbs, verbs of having and dotless abbreviations are no question terms."""

from __future__ import annotations

from bot.answering.relevance import unseen_terms
from knowledge.query import Vocabulary
from language.questions import question_terms
from language.values import asked_about, asked_of, asked_value, asking_part, holds_value


def test_a_rate_per_minute_is_a_number_per_time_unit():
    asked = asked_value("wat is de rate limit (requests per minuut) op de API van het register?")
    assert asked is not None and asked.kind == "rate"
    assert holds_value(asked, "Je mag maximaal 60 requests per minuut doen.")
    assert holds_value(asked, "De limiet is 100 req/min per client.")
    assert not holds_value(asked, "Rate limiting gebeurt op kosten in plaats van op het aantal requests.")
    assert not holds_value(asked, "Een query kost 5 punten.")
    # Per day or longer only frames the question, it asks no rate.
    assert asked_value("hoeveel vakantiedagen krijg ik per jaar?").kind == "count"


def test_a_colour_code_has_the_shape_of_one():
    asked = asked_value("welke kleur en rgb code hoort bij oranje tekst in de modeldocumenten?")
    assert asked is not None and asked.kind == "colour"
    assert asked_value("welke kleurcode is dat precies in word").kind == "colour"
    assert holds_value(asked, "Benaming: Paars; Standaard Word: Paars; (RGB Code): #7030A0")
    assert holds_value(asked, "Gebruik de kleur rgb(112, 48, 160) voor optionele tekst.")
    assert not holds_value(asked, "Paarse tekst is optionele tekst; rode tekst is verplicht.")


def test_the_next_one_asks_for_a_date():
    assert asked_value("When is the next company outing and do I need to sign up?").kind == "date"
    assert asked_value("wanneer is de volgende borrel?").kind == "date"
    # A bare "wanneer" still asks nothing a text can be checked for.
    assert asked_value("wanneer is die bug opgelost") is None


def test_the_asking_clause_is_the_one_that_asks_for_the_value():
    question = "sinds wanneer is HSTS verplicht, en met welke max-age begin ik zodat het niet misgaat?"
    assert "misgaat" not in asking_part(question)
    assert "verplicht" in asking_part(question)
    assert asking_part("hoe zet ik HSTS aan?") == ""


def test_a_value_is_asked_of_the_words_beside_the_asking():
    assert asked_about("hoeveel procent korting op het inschrijvingstarief krijg je?") == \
        ["korting", "inschrijvingstarief"]
    assert asked_about("hoe laat moet ik er zijn op mijn eerste werkdag?") == ["eerste", "werkdag"]
    # A count is asked of its unit, which is looked for beside the number already.
    assert asked_about("hoeveel vakantiedagen heeft collega 8?") == []
    assert asked_about("How many vacation days do I have?") == []


def test_an_unseen_term_is_known_in_no_form_and_not_as_two_known_words():
    vocabulary = Vocabulary(["De kleur van verplichte tekst is rood.", "Elke code staat in de tabel.",
                             "Paarse tekst hoort bij optionele delen."])
    assert unseen_terms("welke kleurcode hoort bij paarse tekst", vocabulary) == []
    assert unseen_terms("welke kleurcode hoort bij oranje tekst", vocabulary) == ["oranje"]
    # A typo of a known word is no unseen term; a short word is too short to tell.
    assert unseen_terms("welke kluer hoort bij rode tekst", vocabulary) == []
    assert unseen_terms("hoort een lek bij de tekst", vocabulary) == []


def test_chat_adverbs_verbs_of_having_and_dotless_abbreviations_are_no_terms():
    assert question_terms("wat betekent paars ook alweer") == ["betekent", "paars"]
    assert question_terms("welke soorten kent het tekstblok registergoed?") == ["soorten", "tekstblok", "registergoed"]
    assert question_terms("hoe groot moet een knop zijn ivm toegankelijkheid") == ["groot", "knop",
                                                                                  "toegankelijkheid"]


def test_only_the_words_that_name_the_kind_leave_what_the_value_is_asked_of():
    # The kind's name is no subject ("kleurcodes" need not be in the index); the word the asking
    # pattern takes beside it, or the compound around it, is ("Kubernetes", "winstdelings").
    vocabulary = Vocabulary(["Het cluster draait versie 1.29 en de winst is 12 procent van de omzet."])
    assert "kleurcode" not in asked_of("welke kleurcodes heeft ons schild?")
    for question in ("welke Kubernetes versie draait het cluster?", "welk winstdelingspercentage krijg ik?"):
        assert unseen_terms(asked_of(question), vocabulary), question
    assert "kubernetes" in asked_of("which Kubernetes version runs the cluster?")
