"""An English question over Dutch passages: the known-terms rule counts the question's words that the
search translated into words of the index as known, and declines a question whose specific words the
index holds neither themselves nor in translation; without translations the word rules stay out of
it. Hand-made passages, dictionaries in FreeDict's own format."""

from __future__ import annotations

import pytest

from bot.answering.relevance import AbstainPolicy
from knowledge.crosslingual import TranslatingQuery
from knowledge.query import Vocabulary
from language.translation import load_dictionaries
from tests.answering.builders import make_hit
from tests.language.test_translation import write_dictd

PARKING = "Kantoor Utrecht heeft een parkeergarage. Bezoekers parkeren gratis op de eerste verdieping."
RECEPTION = "De receptie van kantoor Utrecht is open van 8 tot 18 uur; bezoekers melden zich daar."
INDEX = Vocabulary([PARKING, RECEPTION, "Het team overlegt op maandag.", "De post komt om tien uur."])
POLICY = AbstainPolicy({"nl": 0.4, "en": 0.2})


@pytest.fixture
def translate(tmp_path) -> TranslatingQuery:
    folder = tmp_path / "dictd"
    write_dictd(folder, "freedict-eng-nld", {"visitors": "visitors\nbezoekers\n", "park": "park\nparkeren, park\n",
                                             "helicopter": "helicopter\nhelikopter\n", "free": "free\ngratis, vrij\n"})
    write_dictd(folder, "freedict-nld-eng", {"receptie": "receptie\nreception\n"})
    return TranslatingQuery(load_dictionaries(folder))


def verdict(question: str, translate: TranslatingQuery):
    query = translate(question, INDEX)
    hits = [make_hit(PARKING, relevance=0.8), make_hit(RECEPTION, doc_id="b.md", relevance=0.7, rank=2)]
    return POLICY.judge(question, "en", hits, INDEX, translated_from=query.translated_from.split())


def test_the_words_a_translation_stands_for_are_recorded(translate):
    query = translate("Can visitors park for free at the Utrecht office?", INDEX)
    assert set(query.translated.split()) == {"bezoekers", "parkeren", "gratis"}
    assert set(query.translated_from.split()) == {"visitors", "park", "free"}
    assert translate("Mogen bezoekers gratis parkeren?", INDEX).translated_from == "", "Dutch is not translated"


def test_an_english_question_whose_words_the_index_holds_in_translation_is_answered(translate):
    answered = verdict("Can visitors park for free at the Utrecht office?", translate)
    assert answered.answerable and answered.support is not None and answered.support >= POLICY.min_support


def test_an_english_question_about_what_the_index_never_names_is_declined(translate):
    declined = verdict("Can visitors land their helicopter on the Utrecht office roof?", translate)
    assert declined.support is not None and declined.support < POLICY.min_support
    assert not declined.answerable


def test_without_translations_the_word_rules_stay_out_of_another_languages_question():
    hits = [make_hit(PARKING, relevance=0.8)]
    judged = POLICY.judge("Can visitors land their helicopter on the Utrecht office roof?", "en", hits, INDEX)
    assert judged.answerable and judged.support is None
