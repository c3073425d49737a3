"""Retriever(embedder, store).search(question) -> [Hit]: the one way the bot finds passages."""

from __future__ import annotations

import logging
from typing import Iterable

from knowledge.embeddings import Embedder
from knowledge.models import Hit
from knowledge.query import full_text_query, normalise_question
from knowledge.store import ChunkStore, ModelInfo

__all__ = ["Retriever", "full_text_query", "normalise_question"]

log = logging.getLogger(__name__)


class Retriever:
    """Embeds the question and searches the store in the asked mode."""

    def __init__(self, embedder: Embedder, store: ChunkStore, *, depth: int = 40,
                 weights: tuple[float, float] = (1.0, 1.0), per_document: int | None = None,
                 query_terms=full_text_query) -> None:
        self.embedder = embedder
        self.store = store
        self.depth = depth
        self.weights = weights
        self.per_document = per_document
        self.query_terms = query_terms

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: Iterable[str] | None = None) -> list[Hit]:
        question = normalise_question(question)
        if not question:
            return []
        self.store.check_model(ModelInfo(self.embedder.name, self.embedder.dimension))
        vector = self.embedder.embed_query(question)
        return self.store.search(vector, self.query_terms(question), mode=mode, k=k,
                                 collections=None if collections is None else list(collections),
                                 depth=self.depth, weights=self.weights, per_document=self.per_document)
