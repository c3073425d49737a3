"""Retriever(embedder, store).search(question) -> [Hit]: the one way the bot finds passages."""

from __future__ import annotations

import logging
from typing import Callable, Iterable

from knowledge.embeddings import Embedder
from knowledge.models import Hit
from knowledge.query import full_text_query
from knowledge.reranking import Reranker
from knowledge.index.schema import ModelInfo
from knowledge.index.store import ChunkStore
from language.questions import normalise_question

__all__ = ["Retriever", "full_text_query"]

log = logging.getLogger(__name__)


# Measured on the sample company and developer-overheid with MiniLM (bench/README.md): the
# full-text list is the stronger one for Dutch questions, so it counts double in the fusion. No
# per-document diversification by default: one chunk per document first left hit@1/hit@5/MRR as
# they were (±0.003) but filled the top 5 with other documents' chunks (share of the top 5 from a
# gold document 0.67 -> 0.26 on both corpora), and those are the passages the model reads.
DEPTH = 20
WEIGHTS = (0.5, 1.0)  # (vector, full text)
PER_DOCUMENT: int | None = None
RERANK_DEPTH = 20  # candidates a reranker reorders before the top k is taken


class Retriever:
    """Embeds the question, searches the store in the asked mode and, with a reranker, lets it
    reorder the best `rerank_depth` candidates before the top k is taken."""

    def __init__(self, embedder: Embedder, store: ChunkStore, *, depth: int = DEPTH,
                 weights: tuple[float, float] = WEIGHTS, per_document: int | None = PER_DOCUMENT,
                 query_terms: Callable[[str], str] = full_text_query,
                 reranker: Reranker | None = None, rerank_depth: int = RERANK_DEPTH) -> None:
        self.embedder = embedder
        self.store = store
        self.depth = depth
        self.weights = weights
        self.per_document = per_document
        self.query_terms = query_terms
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self._last_query: tuple[str, object] | None = None  # (question, its vector)

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: Iterable[str] | None = None) -> list[Hit]:
        question = normalise_question(question)
        if not question:
            return []
        self.store.check_model(ModelInfo(self.embedder.name, self.embedder.dimension))
        vector = self._query_vector(question)
        candidates = k if self.reranker is None else max(k, self.rerank_depth)
        hits = self.store.search(vector, self.query_terms(question), mode=mode, k=candidates,
                                 collections=None if collections is None else list(collections),
                                 depth=self.depth, weights=self.weights, per_document=self.per_document)
        if self.reranker is None:
            return hits
        return self.reranker.rerank(question, hits)[:k]

    def _query_vector(self, question: str):
        """The question's embedding; the answer engine searches one question twice (hybrid, then the
        vector candidates its refusal policy reads), so the last one is kept."""
        last = self._last_query
        if last is not None and last[0] == question:
            return last[1]
        vector = self.embedder.embed_query(question)
        self._last_query = (question, vector)
        return vector
