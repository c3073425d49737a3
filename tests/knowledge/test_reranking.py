"""The reranking stage: a real Retriever over a real LanceDB and the packaged embedder, with a tiny
deterministic reranker subclass in place of a cross-encoder."""

from __future__ import annotations

import pytest

from knowledge.models import Chunk, Hit
from knowledge.reranking import CrossEncoderReranker, Reranker, RerankerError, ScoringReranker
from knowledge.retrieval import Retriever
from tests.knowledge.conftest import make_indexer


class WordReranker(ScoringReranker):
    """Scores a passage 1 when it mentions the word, else 0; records what it was shown."""

    name = "word"

    def __init__(self, word: str) -> None:
        self.word = word
        self.seen: list[int] = []

    def scores(self, question, passages):
        self.seen.append(len(passages))
        return [1.0 if self.word in p.lower() else 0.0 for p in passages]


@pytest.fixture
def indexed(tmp_path, docs, embedder):
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    return indexer.store


@pytest.mark.slow
def test_reranker_reorders_the_candidates_and_keeps_relevance(indexed, embedder):
    question = "hoeveel vakantiedagen krijg ik?"
    plain = Retriever(embedder, indexed).search(question, k=2)
    assert plain[0].chunk.doc_id == "hr/vakantie.md"
    reranker = WordReranker("kelder")
    reranked = Retriever(embedder, indexed, reranker=reranker, rerank_depth=10).search(question, k=2)
    assert reranked[0].chunk.doc_id == "facilitair/fietsen.txt"  # found below the top 2, moved up
    assert [h.rank for h in reranked] == [1, 2] and reranked[0].score == 1.0
    assert reranker.seen and reranker.seen[0] > 2  # it saw more candidates than it returned
    by_id = {h.chunk.id: h.relevance for h in Retriever(embedder, indexed).search(question, k=10)}
    assert all(h.relevance == pytest.approx(by_id[h.chunk.id]) for h in reranked)


def test_equal_scores_keep_the_search_order_and_nothing_stays_nothing():
    class Flat(ScoringReranker):
        def scores(self, question, passages):
            return [0.0] * len(passages)

    hits = [Hit(chunk=Chunk(id=f"c:{d}#0", doc_id=d, collection="c", title=d, headings=(), text=d,
                            ordinal=0, content_hash="h"), score=1.0 / n, rank=n, relevance=0.5)
            for n, d in enumerate(["a.md", "b.md", "c.md"], start=1)]
    reranked = Flat().rerank("vraag", hits)
    assert [h.chunk.doc_id for h in reranked] == ["a.md", "b.md", "c.md"]
    assert [h.rank for h in reranked] == [1, 2, 3] and all(h.score == 0.0 for h in reranked)
    assert Flat().rerank("vraag", []) == []
    assert isinstance(Flat(), Reranker)


def test_a_missing_cross_encoder_is_a_clear_error(tmp_path):
    with pytest.raises(RerankerError, match="herordeningsmodel"):
        CrossEncoderReranker(str(tmp_path / "bestaat-niet"))
