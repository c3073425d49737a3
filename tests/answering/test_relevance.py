"""The refusal policy: does the index know the question's specific words, and does a question that
asks for an amount find a number? Tiny hand-made passages; one slow test on the real sample index."""

from __future__ import annotations

import pytest

from bot.answering.relevance import AbstainPolicy, known_terms
from knowledge.query import Vocabulary
from tests.answering.builders import make_hit

KANTOOR = ("Kantoor Utrecht ligt naast het station. Bezoekers melden zich bij de receptie; "
           "de receptie is open van 8 tot 18 uur.")
TEAM = "Het team van developer.overheid.nl bouwt de site en beheert de API-register koppeling."
REISKOSTEN = "Reiskosten declareer je maandelijks in het declaratieportaal: 23 cent per kilometer."
INDEX = Vocabulary([KANTOOR, TEAM, REISKOSTEN, "De receptie beheert ook de post.", "Het team overlegt op maandag."])
POLICY = AbstainPolicy({"nl": 0.4, "en": 0.2})


def test_an_unseen_specific_word_outweighs_the_common_words_the_question_shares():
    near_miss = known_terms("waar kan ik parkeren bij kantoor utrecht?", INDEX)
    answerable = known_terms("waar is de receptie van kantoor utrecht?", INDEX)
    assert answerable == 1.0
    assert near_miss < POLICY.min_support < answerable
    # the unseen word weighs more than each word the index knows
    assert INDEX.idf("parkeren") > max(INDEX.idf(w) for w in ("kantoor", "utrecht"))


def test_inflections_and_typos_of_indexed_words_still_count_as_known():
    assert known_terms("hoe declareren we reiskostn?", INDEX) == 1.0


def test_a_near_miss_with_a_relevant_looking_passage_is_declined():
    hits = [make_hit(KANTOOR, relevance=0.7), make_hit(TEAM, doc_id="b.md", relevance=0.6, rank=2)]
    declined = POLICY.judge("waar kan ik parkeren bij kantoor utrecht?", "nl", hits, INDEX)
    kept = POLICY.judge("waar is de receptie van kantoor utrecht?", "nl", hits, INDEX)
    assert not declined.answerable and declined.support < POLICY.min_support
    assert kept.answerable and kept.support == 1.0


def test_a_question_for_an_amount_needs_a_number_in_a_passage():
    team = [make_hit(TEAM, relevance=0.7)]
    verdict = POLICY.judge("hoeveel koppelingen beheert het team van developer.overheid.nl?", "nl", team, INDEX)
    assert not verdict.answerable and verdict.numbers_missing and verdict.support == 1.0
    reis = [make_hit(REISKOSTEN, relevance=0.7)]
    assert POLICY.judge("hoeveel krijg ik per kilometer reiskosten?", "nl", reis, INDEX).answerable


def test_a_best_passage_only_full_text_found_must_hold_the_question_on_its_own():
    # Each passage shares one specific word with the question; no passage holds both.
    hits = [make_hit(TEAM, relevance=0.6), make_hit(KANTOOR, doc_id="b.md", relevance=0.5, rank=2)]
    question = "zit het team bij de receptie?"
    elsewhere = [make_hit(REISKOSTEN, doc_id="c.md")]  # the vector search found something else

    alone = POLICY.judge(question, "nl", hits, INDEX, semantic_hits=elsewhere)
    assert alone.support == 1.0 and alone.agreement is False
    assert alone.coverage < POLICY.min_coverage_alone and not alone.answerable
    agreeing = POLICY.judge(question, "nl", hits, INDEX, semantic_hits=hits[:1])
    assert agreeing.agreement and agreeing.answerable
    assert POLICY.judge(question, "nl", hits, INDEX).agreement is None  # not asked: not held against it
    covered = POLICY.judge("beheert het team de api-register koppeling?", "nl", hits, INDEX, semantic_hits=elsewhere)
    assert covered.coverage >= POLICY.min_coverage_alone and covered.answerable
    without_the_rule = AbstainPolicy({"nl": 0.4, "en": 0.2}, min_coverage_alone=None)  # e5's calibration
    assert without_the_rule.judge(question, "nl", hits, INDEX, semantic_hits=elsewhere).answerable


def test_without_the_index_vocabulary_the_passages_stand_in():
    hits = [make_hit(KANTOOR, relevance=0.7)]
    assert not POLICY.judge("waar kan ik parkeren bij kantoor utrecht?", "nl", hits).answerable
    assert POLICY.judge("waar is de receptie van kantoor utrecht?", "nl", hits).answerable


def test_an_english_question_on_dutch_passages_is_judged_by_relevance_only():
    hits = [make_hit(KANTOOR, relevance=0.3)]
    verdict = POLICY.judge("Where can I park at the Utrecht office?", "en", hits, INDEX)
    assert verdict.answerable and verdict.support is None
    low = [make_hit(KANTOOR, relevance=0.1)]
    assert not POLICY.judge("Where can I park at the Utrecht office?", "en", low, INDEX).answerable


@pytest.mark.slow
def test_on_the_sample_index_a_near_miss_is_declined_and_a_real_question_answered(sample_index, embedder):
    from bot.answering.engine import AnswerEngine
    from knowledge.retrieval import Retriever
    from tests.generators import ScriptedGenerator

    engine = AnswerEngine(Retriever(embedder, sample_index), ScriptedGenerator(), embedder=embedder)
    near_miss = engine.prepare("kan ik via de zaak een leasefiets of elektrische step krijgen?")
    assert near_miss.hits and near_miss.verdict.relevance >= engine.policy.threshold("nl")  # looks relevant
    assert not near_miss.verdict.answerable  # but the index has never heard of a leasefiets or a step
    real = engine.prepare("hoeveel vakantiedagen krijg ik per jaar als ik fulltime werk?")
    assert real.verdict.answerable and real.verdict.support >= engine.policy.min_support
