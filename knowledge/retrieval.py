"""Retriever(embedder, store): the one way the bot finds passages. `retrieve(question)` returns a
`Retrieval`, everything one search found and computed, so that whoever answers from it asks the index
nothing more; `search(question)` returns only the hits (the CLI's `search`, benchmarks). Either way a
passage several files share is one hit, one that repeats a better-placed passage of another document
or a template's clause goes after the passages that say something else, and of versions of one
document the newest (or the one the question names) comes first (knowledge/versions.py)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from knowledge.embeddings import Embedder
from knowledge.models import Hit, names_the_document
from knowledge.query import TextQuery, Vocabulary, full_text_query, text_query
from knowledge.reranking import Reranker
from knowledge.index.schema import ModelInfo
from knowledge.index.store import ChunkStore
from knowledge.versions import distinct_first, newest_first
from language.calibration import calibration_for
from language.questions import normalise_question, quoted_phrases

__all__ = ["Retrieval", "Retriever", "full_text_query"]

log = logging.getLogger(__name__)


# The vector list's weight next to the full-text list's 1.0 depends on the embedding model: an
# English model's list is the weaker one for Dutch questions (language/calibration.py,
# `vector_weight`; bench/README.md). No per-document diversification by default: one chunk per
# document first left hit@1/hit@5/MRR as they were (±0.003) but filled the top 5 with other
# documents' chunks (share of the top 5 from a gold document 0.67 -> 0.26 on both corpora), and
# those are the passages the model reads.
DEPTH = 20
PER_DOCUMENT: int | None = None
RERANK_DEPTH = 20  # candidates a reranker reorders before the top k is taken


@dataclass(frozen=True)
class Retrieval:
    """One search for a question, and what it computed on the way."""

    hits: list[Hit]  # best first
    vector_hits: list[Hit] | None = None  # hybrid search: the vector search's own best candidates
    query_vector: np.ndarray | None = None  # the question's embedding
    index_version: int | None = None  # the index's version when it was searched (None: unknown)
    vocabulary: Vocabulary | None = None  # that version's words (None: could not be read)
    # What the full-text half matched: the question's terms, its compounds' parts and its words
    # translated into the index's language (None: a vector search, or no question).
    text_query: TextQuery | None = None


class Retriever:
    """Embeds the question, searches the store in the asked mode (full text: the question's terms and
    the parts of its compounds that the index knows, knowledge/query.py; hybrid: also the vector search
    among the documents whose name the question quotes) and, with a reranker, lets it reorder the
    best `rerank_depth` candidates before the top k is taken."""

    def __init__(self, embedder: Embedder, store: ChunkStore, *, depth: int = DEPTH,
                 weights: tuple[float, float] | None = None, per_document: int | None = PER_DOCUMENT,
                 query_terms: Callable[[str, Vocabulary | None], TextQuery] = text_query,
                 reranker: Reranker | None = None, rerank_depth: int = RERANK_DEPTH) -> None:
        self.embedder = embedder
        self.store = store
        self.depth = depth
        # (vector, full text); None: the embedding model's calibrated weight
        self.weights = weights or (calibration_for(embedder.name).vector_weight, 1.0)
        self.per_document = per_document
        self.query_terms = query_terms
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        # One thread: the embedder embeds one text at a time anyway (its own lock).
        self._embedding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="question-embedding")

    def retrieve(self, question: str, *, k: int = 5, mode: str = "hybrid",
                 collections: Iterable[str] | None = None, readers: Iterable[str] | None = None) -> Retrieval:
        """The best k hits, the vector search's own candidates (hybrid: as deep as the fusion read
        them), the question's embedding, and the index's version and vocabulary; one search.
        `readers`: the asker's principal keys; only chunks one of them may read are searched."""
        question = normalise_question(question)
        if not question:
            return Retrieval([], index_version=self.index_version())
        found = self._search(question, k=k, mode=mode, collections=collections, readers=readers)
        vocabulary = found.vocabulary if found.vocabulary is not None else self._vocabulary()
        return Retrieval(found.hits, found.vector_hits, found.query_vector, found.index_version, vocabulary,
                         found.text_query)

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: Iterable[str] | None = None, readers: Iterable[str] | None = None) -> list[Hit]:
        """The best k hits only."""
        question = normalise_question(question)
        return self._search(question, k=k, mode=mode, collections=collections, readers=readers).hits if question else []

    def index_version(self) -> int | None:
        """The index's version (it changes on every re-index); None when it cannot be read."""
        try:
            return self.store.version()
        except Exception:  # whoever keys a cache on it does without
            log.warning("could not read the index version", exc_info=True)
            return None

    def document_readers(self, collection: str) -> dict[str, tuple[str, ...]]:
        """doc_id -> readers (principal keys) of every document indexed in a collection."""
        return self.store.readers(collection)

    def _search(self, question: str, *, k: int, mode: str, collections: Iterable[str] | None,
                readers: Iterable[str] | None = None) -> Retrieval:
        # The question is embedded on a thread of its own while this one reads the index's version,
        # checks the model, splits the question's compounds, runs the full-text search and finds the
        # rows the readers may see: the embedding engines and LanceDB release the GIL, so on two cores
        # the two overlap (bench/search_latency.py). Only the vector search itself waits for it.
        embedding = self._embedding.submit(self.embedder.embed_query, question)
        version = self.index_version()
        self.store.check_model(ModelInfo(self.embedder.name, self.embedder.dimension))
        candidates = k if self.reranker is None else max(k, self.rerank_depth)
        # Unreadable, the search right after says what is wrong with the index; the full-text query
        # does without the compounds' parts meanwhile.
        vocabulary = self._vocabulary(quiet=True) if mode != "vector" else None
        terms = self.query_terms(question, vocabulary)
        named = self._named_documents(question) if mode == "hybrid" else []
        # A passage that several files share word for word is one hit, and one that repeats a better
        # one or a template goes after the others (knowledge/versions.py): read as deep as the fusion
        # does, so that the places it frees go to other passages.
        hits, vector_hits = self.store.search_with_candidates(
            embedding.result, terms, mode=mode, k=max(candidates, self.depth),
            collections=None if collections is None else list(collections), depth=self.depth,
            weights=self.weights, per_document=self.per_document,
            readers=None if readers is None else list(readers), named=named)
        hits = distinct_first(hits)[:candidates]
        if self.reranker is not None:
            hits = self.reranker.rerank(question, hits)[:k]
        return Retrieval(newest_first(hits, question), vector_hits, embedding.result(), version, vocabulary,
                         terms if mode != "vector" else None)

    def _named_documents(self, question: str) -> list[str]:
        """The documents whose folder, file name or title the question quotes (language/questions.py,
        quoted_phrases): people quote what a thing is called, and a name may be all that ties a short
        passage to the question (an example in a folder named after its case)."""
        phrases = quoted_phrases(question)
        if not phrases:
            return []
        try:
            titles = self.store.document_titles()
        except Exception:  # the search right after says what is wrong with the index
            return []
        return [doc_id for doc_id, title in titles.items() if names_the_document(doc_id, title or "", phrases)]

    def _vocabulary(self, *, quiet: bool = False) -> Vocabulary | None:
        try:
            return self.store.vocabulary()
        except Exception:  # the refusal policy then weighs the passages' own words
            if not quiet:
                log.warning("could not read the index vocabulary", exc_info=True)
            return None
