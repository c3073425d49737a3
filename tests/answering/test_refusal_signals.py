"""The refusal's signals on a real index (LanceDB in tmp_path, the packaged multilingual E5): a
question about the right subject that asks for a value no passage holds is declined, and the
relevance does not move with the fusion weight."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from knowledge.chunking import Chunker
from knowledge.indexing import Indexer
from knowledge.index.store import ChunkStore
from knowledge.retrieval import Retriever
from tests.generators import ScriptedGenerator

pytestmark = pytest.mark.slow

HELPDESK = """# Helpdesk modelakten

De helpdesk van het Kadaster helpt notarissen met vragen over de modelakten en de stylesheets.
De helpdesk heeft geen eigen telefoonnummer: je stelt je vraag via het contactformulier op de
website, en een medewerker neemt binnen twee werkdagen contact met je op.
"""
STYLESHEETS = """# Stylesheets uitzetten

Een oude versie van een leveringsstylesheet wordt uitgezet zodra de nieuwe versie in gebruik is.
Het Kadaster kondigt het uitzetten aan in de nieuwsbrief voor notarissen; daarna kan de oude versie
niet meer worden gekozen in de software van het notariskantoor.
"""
SERVICEDESK = """# Servicedesk

De servicedesk van het Kadaster is op werkdagen bereikbaar op telefoonnummer 088 183 2200, van 8 tot
17 uur. Notarissen met een vraag over de modelakten of de stylesheets kunnen daar terecht.
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory, e5_small_embedder) -> ChunkStore:
    """Two collections: one without a phone number anywhere, one with the servicedesk's."""
    root = tmp_path_factory.mktemp("refusal-index")
    store = ChunkStore(str(root / "index"))
    indexer = Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens), lock_dir=root / "state")
    indexer.reindex(_write(root / "zonder", {"helpdesk.md": HELPDESK, "stylesheets.md": STYLESHEETS}),
                    collection="zonder")
    indexer.reindex(_write(root / "met", {"helpdesk.md": HELPDESK, "servicedesk.md": SERVICEDESK}), collection="met")
    return store


def _engine(store, embedder, *, weights=None, top_k=6) -> AnswerEngine:
    return AnswerEngine(Retriever(embedder, store, weights=weights), ScriptedGenerator(), embedder=embedder,
                        top_k=top_k)


def test_a_question_for_a_value_no_passage_holds_is_declined_though_it_looks_answerable(store, e5_small_embedder):
    engine = _engine(store, e5_small_embedder)
    phone = engine.prepare("wat is het telefoonnummer van de helpdesk modelakten?", collections=["zonder"])
    verdict = phone.verdict
    # Everything else says "answer": the passage is close and the index knows every word.
    assert verdict.relevance >= engine.policy.threshold("nl") and verdict.support >= engine.policy.min_support
    assert verdict.value_missing and not verdict.answerable
    months = engine.prepare("hoeveel maanden van tevoren kondigt het kadaster het uitzetten van een stylesheet aan?",
                            collections=["zonder"]).verdict
    assert months.value_missing and not months.answerable
    # The same subject asked without a value, and the value where a passage holds it, are answered.
    asked_how = engine.prepare("hoe stel ik een vraag aan de helpdesk modelakten?", collections=["zonder"])
    assert asked_how.verdict.answerable
    found = engine.prepare("wat is het telefoonnummer van de servicedesk van het kadaster?",
                           collections=["met"]).verdict
    assert not found.value_missing and found.answerable


def test_the_relevance_is_the_best_cosine_whatever_the_fusion_weight(store, e5_small_embedder):
    question = "bij wie kan een notaris terecht met een vraag over de modelakten?"
    verdicts = {}
    for weight in (0.25, 1.0):
        engine = _engine(store, e5_small_embedder, weights=(weight, 1.0), top_k=1)
        found = engine.retriever.retrieve(question, k=1)
        verdicts[weight] = engine.policy.judge(question, "nl", found.hits, found.vocabulary, found.vector_hits)
        assert verdicts[weight].relevance == pytest.approx(found.vector_hits[0].relevance)
    low = _engine(store, e5_small_embedder, weights=(0.25, 1.0), top_k=1).retriever.retrieve(question, k=1)
    # At the low weight the full text's first passage is the one hit, not the embedder's closest.
    assert low.hits[0].chunk.id != low.vector_hits[0].chunk.id
    assert low.hits[0].relevance < verdicts[0.25].relevance
    assert verdicts[0.25].relevance == pytest.approx(verdicts[1.0].relevance)
