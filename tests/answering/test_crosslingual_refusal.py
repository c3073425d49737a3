"""An English question over Dutch documents is declined as honestly as a Dutch one: the refusal's
word rules read its terms through the dictionary look-up the search made (knowledge/crosslingual.py,
glossary). A term the index holds itself or in translation is known; one the dictionary translates
into nothing the index holds is unseen; one no dictionary lists counts neither way. Hand-made
passages and a real LanceDB index in tmp_path with the packaged multilingual e5, dictionaries in
FreeDict's own format."""

from __future__ import annotations

import pytest

from bot.answering.engine import AnswerEngine
from bot.answering.relevance import AbstainPolicy
from knowledge.crosslingual import TranslatingQuery, glossary
from knowledge.query import Vocabulary
from knowledge.retrieval import Retriever
from language.translation import load_dictionaries
from tests.answering.builders import make_hit
from tests.generators import ScriptedGenerator
from tests.knowledge.conftest import make_indexer, write_docs
from tests.language.test_translation import write_dictd

DOCUMENTS = {
    "veiligheid/datalek.md": "# Datalek melden\n\nHeb je persoonsgegevens naar de verkeerde persoon gestuurd, al "
                             "was het een persoonlijke vergissing? Dat is een datalek. Neem direct contact op met "
                             "de privacy officer via de servicedesk; die beoordeelt of het lek gemeld moet worden.\n",
    "facilitair/receptie.md": "# Receptie\n\nDe receptie heeft telefoon, nummer 030 234 5678. Pakketten en post "
                              "worden daar afgegeven.\n",
    "hr/personeelsfeest.md": "# Personeelsfeest\n\nHet personeelsfeest van het bedrijf is op vrijdag 12 juni in de "
                             "tuin van kantoor Utrecht. Aanmelden hoeft niet.\n",
    "hr/laptop.md": "# Laptop\n\nNa vier jaar krijg je een nieuwe laptop van de servicedesk.\n",
}
DATA_LEAK, RECEPTION, PARTY, LAPTOP = DOCUMENTS.values()
# "accidentally" and "emailed" are in no dictionary: they count neither for nor against the question.
LEAK_QUESTION = "Who do I contact if I accidentally emailed personal data to the wrong person?"
# "membership" and "sports" are translated into words no document holds.
GYM_QUESTION = "Does the company pay for a gym membership or give a sports discount?"


@pytest.fixture
def dictionaries(tmp_path):
    folder = tmp_path / "dictd"
    write_dictd(folder, "freedict-eng-nld", {
        "contact": "contact\ncontact, aanraking\n", "personal": "personal\npersoonlijk, eigen\n",
        "wrong": "wrong\nverkeerd, fout\n", "person": "person\npersoon\n", "pay": "pay\nbetalen\n",
        "give": "give\ngeven\n", "discount": "discount\nkorting\n", "membership": "membership\nlidmaatschap\n",
        "sports": "sports\nsport\n", "company": "company\nbedrijf, gezelschap\n", "outing": "outing\nuitje\n",
        "phone": "phone\ntelefoon\n", "number": "number\nnummer, getal\n", "reception": "reception\nreceptie\n",
        "insurance": "insurance\nverzekering\n", "through": "through\ndoor\n"})
    write_dictd(folder, "freedict-nld-eng", {"gegevens": "gegevens\ndata\n"})
    return load_dictionaries(folder)


POLICY = AbstainPolicy({"nl": 0.4, "en": 0.2}, min_support=0.5)
INDEX = Vocabulary([*DOCUMENTS.values(), "Het team overlegt op maandag.", "De post komt om tien uur."])


def judged(question: str, dictionaries, *texts: str):
    query = TranslatingQuery(dictionaries)(question, INDEX)
    hits = [make_hit(text, doc_id=f"d{n}.md", title="", headings=(), relevance=0.8 - n / 10, rank=n + 1)
            for n, text in enumerate(texts)]
    return POLICY.judge(question, "en", hits, INDEX, glossary=query.glossary)


def test_the_glossary_tells_held_translated_unseen_and_unlisted_terms_apart(dictionaries):
    terms = glossary("Can my laptop get insurance through the company, accidentally?",
                     dictionaries[("en", "nl")], INDEX)
    assert terms["laptop"] == {"laptop"}, "an English word the Dutch index holds is its own"
    assert terms["company"] == {"bedrijf"} and "gezelschap" not in terms["company"]
    assert terms["insurance"] == frozenset(), "listed, but no translation of it is in the index"
    assert "accidentally" not in terms, "no dictionary lists it"
    assert "through" not in terms, "its only translation is a function word"


def test_words_without_a_dictionary_entry_do_not_decline_an_answerable_question(dictionaries):
    answered = judged(LEAK_QUESTION, dictionaries, DATA_LEAK, RECEPTION)
    assert answered.support is not None and answered.support >= POLICY.min_support
    assert answered.answerable


def test_a_question_whose_translated_terms_the_index_never_holds_is_declined(dictionaries):
    declined = judged(GYM_QUESTION, dictionaries, PARTY, LAPTOP)
    assert declined.support is not None and declined.support < POLICY.min_support
    assert not declined.answerable


def test_a_value_asked_of_a_term_the_index_never_holds_in_translation_is_missing(dictionaries):
    # A date is in the passage, but "outing" is translated into "uitje", which no document says.
    declined = judged("When is the next company outing?", dictionaries, PARTY)
    assert declined.value_missing and not declined.answerable


def test_across_languages_the_value_is_not_asked_beside_a_translation(dictionaries):
    # A dictionary misses senses: a value of the asked kind anywhere in the passages will do.
    asked = "What is the phone number of the reception?"
    assert not judged(asked, dictionaries, RECEPTION).value_missing
    elsewhere = "De servicedesk heeft telefoon, nummer 030 987 6543."
    assert not judged(asked, dictionaries, elsewhere, PARTY).value_missing
    assert judged(asked, dictionaries, PARTY).value_missing, "no phone number in any passage"
    dutch = "wat is het telefoonnummer van de receptie?"
    assert POLICY.judge(dutch, "nl", [make_hit(elsewhere), make_hit(PARTY, doc_id="b.md", rank=2)],
                        INDEX).value_missing, "in the passages' own language it is"


def test_without_a_look_up_the_word_rules_stay_out_of_another_languages_question():
    verdict = POLICY.judge(GYM_QUESTION, "en", [make_hit(PARTY)], INDEX)
    assert verdict.answerable and verdict.support is None


def test_a_dutch_question_is_judged_as_before(dictionaries):
    question = "krijg ik korting op een sportschool abonnement?"
    hits = [make_hit(PARTY), make_hit(LAPTOP, doc_id="b.md", rank=2)]
    query = TranslatingQuery(dictionaries)(question, INDEX)
    assert query.glossary is None, "a question in the index's language is not looked up"
    foreign = TranslatingQuery(dictionaries)(GYM_QUESTION, INDEX).glossary
    assert foreign, "an English question is"
    assert POLICY.judge(question, "nl", hits, INDEX, glossary=foreign) == \
        POLICY.judge(question, "nl", hits, INDEX), "a glossary counts only across languages"


@pytest.mark.slow
def test_through_the_engine_an_english_question_is_answered_or_declined_by_its_words(tmp_path, e5_small_embedder,
                                                                                    dictionaries):
    indexer = make_indexer(tmp_path, e5_small_embedder)
    indexer.reindex(write_docs(tmp_path / "docs", DOCUMENTS), collection="c")
    engine = AnswerEngine(Retriever(e5_small_embedder, indexer.store, query_terms=TranslatingQuery(dictionaries)),
                          ScriptedGenerator(), embedder=e5_small_embedder, top_k=3)
    engine.policy = AbstainPolicy({"nl": 0.0, "en": 0.0}, min_support=0.5)  # the words alone decide here

    answered = engine.prepare(LEAK_QUESTION).verdict
    assert answered.support is not None and answered.answerable
    declined = engine.prepare(GYM_QUESTION).verdict
    assert declined.support is not None and declined.support < 0.5 and not declined.answerable
    assert engine.prepare("When is the next company outing?").verdict.value_missing


def test_a_dutch_question_over_english_documents_is_judged_through_its_translations(tmp_path):
    folder = tmp_path / "dictd"
    write_dictd(folder, "freedict-eng-nld", {"sick": "sick\nziek\n"})
    write_dictd(folder, "freedict-nld-eng", {"ziek": "ziek\nill, sick\n", "bellen": "bellen\ncall, ring\n",
                                             "helikopter": "helikopter\nhelicopter\n", "dak": "dak\nroof\n"})
    translate = TranslatingQuery(load_dictionaries(folder))
    sick = "When you are ill, call your manager before nine in the morning."
    english = Vocabulary([sick, "You get twenty-five days of holiday a year.", "The desk hands out laptops."])
    policy = AbstainPolicy({"nl": 0.2, "en": 0.4}, min_support=0.5)

    def verdict(question: str):
        query = translate(question, english)
        return policy.judge(question, "nl", [make_hit(sick)], english, glossary=query.glossary)

    assert verdict("Wie moet ik bellen als ik ziek ben?").answerable
    declined = verdict("Mag ik met de helikopter op het dak landen?")
    assert declined.support is not None and not declined.answerable
