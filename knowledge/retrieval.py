"""Retriever(embedder, store).search(question) -> [Hit]: the one way the bot finds passages."""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Iterable

from knowledge.embeddings import Embedder
from knowledge.models import Hit
from knowledge.store import ChunkStore, ModelInfo

log = logging.getLogger(__name__)


def normalise_question(question: str) -> str:
    """Unicode-normalised, single-spaced question text."""
    text = unicodedata.normalize("NFKC", question)
    return re.sub(r"\s+", " ", text).strip()


def full_text_query(question: str) -> str:
    """Terms for the full-text index: words only; the index's Dutch analyser stems and drops stop words."""
    return " ".join(re.findall(r"\w+", question.lower()))


class Retriever:
    """Embeds the question and searches the store in the asked mode."""

    def __init__(self, embedder: Embedder, store: ChunkStore, *, depth: int = 40,
                 weights: tuple[float, float] = (1.0, 1.0)) -> None:
        self.embedder = embedder
        self.store = store
        self.depth = depth
        self.weights = weights

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: Iterable[str] | None = None) -> list[Hit]:
        question = normalise_question(question)
        if not question:
            return []
        self.store.check_model(ModelInfo(self.embedder.name, self.embedder.dimension))
        vector = self.embedder.embed_query(question)
        return self.store.search(vector, full_text_query(question), mode=mode, k=k,
                                 collections=None if collections is None else list(collections),
                                 depth=self.depth, weights=self.weights)
