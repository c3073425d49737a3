"""The words of a question must agree with a curated question's before it gets its answer: every
content word covered, at most one of the curated question's left out, the same kind of asking.
The table (tests/data/curated_pairs.jsonl) holds both corpora: the sample company's and
developer-overheid's questions, paraphrased as colleagues ask them, and near-misses."""

from __future__ import annotations

import json

import pytest

from bot.curation.matching import lexical_match
from tests.conftest import QA_FILE, REPO

PAIRS = [json.loads(line)
         for line in (REPO / "tests" / "data" / "curated_pairs.jsonl").read_text(encoding="utf-8").splitlines()]
CURATED = "Hoeveel vakantiedagen heb ik per jaar?"


@pytest.mark.parametrize("asked", ["Hoeveel vakantiedagen krijg ik?",
                                   "hoeveel vakantiedagn krijg ik eigenlijk per jaar?", "Hoeveel vakantiedagen heb ik?",
                                   "vakantiedagen per jaar?"])
def test_a_question_close_enough_agrees(asked):
    assert lexical_match(asked, CURATED)


@pytest.mark.parametrize("asked", ["Hoeveel ziektedagen heb ik per jaar?", "Hoeveel vakantiedagen krijgen parttimers?",
                                   "Hoeveel vakantiedagen kan ik meenemen naar volgend jaar?",
                                   "Wanneer krijg ik mijn vakantiedagen?",
                                   "Hoeveel vakantiedagen heb ik niet per jaar?",
                                   "Hoeveel dagen heb ik per jaar?", "Hoe?", ""])
def test_near_misses_do_not(asked):
    assert not lexical_match(asked, CURATED)


def test_words_dutch_morphology_and_the_kind_of_question():
    assert not lexical_match("Hoeveel dagen heb ik per jaar?", CURATED)  # a compound asks something narrower
    assert lexical_match("Hoeveel vakantiedagn heb ik per jaar?", CURATED)  # one typo
    assert lexical_match("Wordt mijn verlof uitbetaald?", "Wordt mijn verlof betaald?")  # a separable verb
    assert not lexical_match("Hoe laat moet ik er zijn op mijn laatste werkdag?",
                             "Hoe laat moet ik er zijn op mijn eerste werkdag?")  # "hoe laat" asks a time
    assert lexical_match("hoe moet ik me ziekmelden?", "Hoe meld ik me ziek?")  # a compound of two words
    assert lexical_match("hoeveel tags mag ik aan een kennisbank artikel hangen?",
                         "Hoeveel tags mag ik aan een kennisbankartikel hangen?")
    assert not lexical_match("Mag ik mijn laptop meenemen?", "Moet ik mijn laptop meenemen?")  # permission ≠ duty
    assert not lexical_match("Hoe zet ik MFA uit?", "Hoe zet ik MFA aan?")  # the particle turns the verb around
    assert not lexical_match("Mag ik thuiswerken zonder laptop?", "Mag ik thuiswerken met een laptop?")
    assert not lexical_match("Hoeveel vakantiedagen kan ik meenemen?", "Mag ik mijn vakantiedagen meenemen?")


def _qa_questions() -> dict[str, str]:
    questions = {}
    for path in (QA_FILE, REPO.parent / "shared" / "corpora" / "developer-overheid-qa.jsonl"):
        if path.exists():
            questions.update({(row := json.loads(line))["id"]: row["question"]
                              for line in path.read_text(encoding="utf-8").splitlines()})
    return questions


def test_no_near_miss_and_no_other_question_of_either_corpus_agrees_with_a_curated_question():
    questions = _qa_questions()
    false_matches = [(q, p["curated"]) for p in PAIRS for q in p["near_misses"] if lexical_match(q, p["curated"])]
    for pair in PAIRS:  # every other curated question's wordings, in the same corpus
        for other in PAIRS:
            if other is pair or other["corpus"] != pair["corpus"]:
                continue
            wordings = [*other["paraphrases"], *([questions[other["qa_id"]]] if other["qa_id"] in questions else [])]
            false_matches += [(q, pair["curated"]) for q in wordings if lexical_match(q, pair["curated"])]
    assert false_matches == []
    assert {p["corpus"] for p in PAIRS} == {"sample", "developer-overheid"}
    assert sum(len(p["near_misses"]) for p in PAIRS) >= 90


def test_most_paraphrases_agree_in_both_corpora():
    for corpus in ("sample", "developer-overheid"):
        rows = [p for p in PAIRS if p["corpus"] == corpus]
        agreed = [lexical_match(q, p["curated"]) for p in rows for q in p["paraphrases"]]
        assert sum(agreed) / len(agreed) >= 0.7, corpus
