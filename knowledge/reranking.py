"""Hits -> the same hits in a better order: an optional stage after the search.

A reranker reads question and passage together (a cross-encoder), which a bi-encoder and BM25
cannot, so it can put the passage that answers the question first among the candidates the search
found. It only reorders: `Hit.relevance` (the cosine the refusal threshold is calibrated on) stays
as it was; `Hit.score` becomes the reranker's score and `Hit.rank` the new rank.
Off by default: no multilingual cross-encoder ships in a package here.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from knowledge.errors import KnowledgeError
from knowledge.models import Hit

log = logging.getLogger(__name__)


class RerankerError(KnowledgeError):
    """The reranking model could not be loaded or failed to score."""


@runtime_checkable
class Reranker(Protocol):
    """Reorders the hits found for a question, best first."""

    name: str

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        ...


class ScoringReranker:
    """A reranker that scores each (question, passage) pair; subclasses implement `scores`."""

    name = "scoring"

    def scores(self, question: str, passages: list[str]) -> list[float]:
        raise NotImplementedError

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        scores = self.scores(question, [h.chunk.embedding_text for h in hits])
        # sorted() is stable: equal scores keep the search's order
        order = sorted(range(len(hits)), key=lambda i: -scores[i])
        return [replace(hits[i], score=float(scores[i]), rank=rank)
                for rank, i in enumerate(order, start=1)]


class CrossEncoderReranker(ScoringReranker):
    """A sentence-transformers CrossEncoder from a local folder (or the local HF cache)."""

    def __init__(self, model_name_or_path: str, *, max_length: int = 512, batch_size: int = 16) -> None:
        from sentence_transformers import CrossEncoder

        path = Path(model_name_or_path).expanduser()
        self.name = path.name if path.exists() else model_name_or_path
        self.batch_size = batch_size
        try:
            self._model = CrossEncoder(str(path) if path.exists() else model_name_or_path, device="cpu",
                                       local_files_only=True, max_length=max_length)
        except Exception as exc:  # transformers raise many kinds; the cause is logged
            log.error("reranking model %s could not be loaded", model_name_or_path, exc_info=True)
            raise RerankerError(
                f"Het herordeningsmodel '{model_name_or_path}' kon niet worden geladen ({exc}).") from exc

    def scores(self, question: str, passages: list[str]) -> list[float]:
        values = self._model.predict([(question, p) for p in passages], batch_size=self.batch_size,
                                     show_progress_bar=False, convert_to_numpy=True)
        return [float(v) for v in values]
