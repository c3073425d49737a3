"""Curated answers ("vaste antwoorden"): answers an admin or a collection's owner decided on, served
as they are, without the model, to a question close enough to the one they were decided for.

Whether a question is close enough is matching.py's to decide (the words first, then the meaning);
only the questions whose words agree are embedded, so a question without a curated answer costs no
embedding here. A curated answer is served only where every collection it comes from may be
searched (its own collection and its sources' collections), so a restricted collection's answer
never reaches a channel that cannot see that collection. After every re-index, answers whose sources
changed are suspended (review.py). The answers live in the storage layer's database (store.py).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

import numpy as np

from bot.answering.types import Source
from bot.curation.matching import MAX_MISSING_WORDS, lexical_match
from bot.curation.review import DocumentHashes, review_scope, stale_answers, tell_owners
from bot.curation.store import CuratedStore, now
from bot.curation.types import CuratedAnswer, CuratedError, source_key
from bot.operations.observers import Observers
from language.calibration import calibration_for
from language.questions import content_words, normalise_question

if TYPE_CHECKING:
    from bot.indexing.reindexer import RunReport
    from knowledge.embeddings import Embedder

log = logging.getLogger(__name__)


class CuratedAnswers:
    """The curated answers in `store`; safe to use from several threads and processes.

    `embedder`: the embedding model, or a function that returns it (loaded when first needed).
    `documents(collection)`: the index's {doc id: content hash}, to fingerprint sources and to
    notice a re-index changing them. `min_similarity` below 0: the calibrated value for the model.
    """

    def __init__(self, store: CuratedStore, embedder: "Embedder | Callable[[], Embedder]", *,
                 documents: DocumentHashes | None = None, min_similarity: float = -1.0,
                 max_missing_words: int = MAX_MISSING_WORDS) -> None:
        self.store = store
        self._embedder = embedder
        self._documents = documents
        self._min_similarity = min_similarity
        self.max_missing_words = max_missing_words
        # The answers a re-index suspended (once per answer): the Slack layer DMs their owners.
        self.suspended: Observers[[list[CuratedAnswer]]] = Observers("curated answers suspended")
        self._lock = threading.Lock()  # guards the two caches below, read and written by every question
        self._cache: tuple[int, list[CuratedAnswer]] | None = None  # (revision, active answers)
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def embedder(self) -> "Embedder":
        if not hasattr(self._embedder, "embed_query"):
            self._embedder = self._embedder()  # type: ignore[operator]
        return self._embedder  # type: ignore[return-value]

    @property
    def min_similarity(self) -> float:
        if self._min_similarity >= 0:
            return self._min_similarity
        return calibration_for(str(getattr(self.embedder, "name", ""))).curated_min_similarity

    # --- deciding ---------------------------------------------------------------------------------
    def add(self, *, question: str, answer: str, sources: Iterable[Source], owner: str,
            collection: str | None = None, decided_by: str = "") -> CuratedAnswer:
        question, answer = normalise_question(question), answer.strip()
        if not content_words(question):
            raise CuratedError("De vraag is leeg of bevat alleen woorden als 'hoe' en 'wat'; "
                               "schrijf de vraag zoals een collega hem stelt.")
        if not answer:
            raise CuratedError("Het antwoord is leeg.")
        if not owner.strip():
            raise CuratedError("Geef de eigenaar op (de Slack-gebruiker die het antwoord bewaakt, U…).")
        sources = list(dict.fromkeys(sources))
        curated = CuratedAnswer(id=uuid.uuid4().hex[:12], question=question, answer=answer, sources=sources,
                                owner=owner.strip(), collection=collection or None, created_at=now(),
                                decided_by=decided_by.strip() or owner.strip(),
                                source_fingerprints=self._fingerprints(sources))
        self.store.insert(curated, self._embed(question), self._model_name())
        log.info("curated answer %s added by %s (%d sources)", curated.id, curated.owner, len(sources))
        return curated

    def _fingerprints(self, sources: list[Source]) -> dict[str, str]:
        """The indexed content hash of every source that is a document of a collection."""
        if self._documents is None:
            return {}
        result: dict[str, str] = {}
        for collection in sorted({s.collection for s in sources if s.collection}):
            hashes = self._document_hashes(collection)
            for source in (s for s in sources if s.collection == collection):
                digest = hashes.get(source.path)
                if digest is None:
                    raise CuratedError(f"De bron '{source.path}' staat niet in de index van collectie "
                                       f"'{collection}'; indexeer eerst, of kies een bron die er wel in staat.")
                result[source_key(source)] = digest
        return result

    def _document_hashes(self, collection: str) -> dict[str, str]:
        assert self._documents is not None
        try:
            return self._documents(collection)
        except Exception as exc:  # e.g. no index yet
            log.warning("could not read the documents of %s", collection, exc_info=True)
            raise CuratedError(f"De index van collectie '{collection}' kan niet worden gelezen ({exc}).") from exc

    # --- reading ----------------------------------------------------------------------------------
    def list(self, include_suspended: bool = True) -> list[CuratedAnswer]:
        return self.store.list(include_suspended)

    def get(self, answer_id: str) -> CuratedAnswer | None:
        return self.store.get(answer_id)

    def remove(self, answer_id: str) -> bool:
        gone = self.store.delete(answer_id)
        if gone:
            log.info("curated answer %s removed", answer_id)
        return gone

    def reactivate(self, answer_id: str) -> CuratedAnswer:
        """Back in use after a review: its sources as they are now become its fingerprints."""
        current = self.get(answer_id)
        if current is None:
            raise CuratedError(f"Er is geen vast antwoord met id '{answer_id}'.")
        fingerprints = self._fingerprints(current.sources)  # a removed source: a Dutch error
        self.store.reactivate(answer_id, fingerprints)
        log.info("curated answer %s reactivated", answer_id)
        return replace(current, status="active", suspended_reason="", suspended_at="",
                       source_fingerprints=fingerprints)

    # --- serving ----------------------------------------------------------------------------------
    def match(self, question: str, *, collections: Iterable[str] | None = None) -> CuratedAnswer | None:
        """The active curated answer for this question, or None. `collections`: what this
        conversation may search (None: everything)."""
        allowed = None if collections is None else set(collections)
        candidates = [a for a in self._active()
                      if (allowed is None or a.collections <= allowed)
                      and lexical_match(question, a.question, max_missing=self.max_missing_words)]
        if not candidates:
            return None
        vector = self._embed(normalise_question(question))
        threshold = self.min_similarity
        scored = [(float(np.dot(vector, self._vector(a))), a) for a in candidates]
        similarity, best = max(scored, key=lambda pair: pair[0])
        if similarity < threshold:
            log.debug("curated answer %s not served: similarity %.3f < %.3f", best.id, similarity, threshold)
            return None
        log.info("curated answer %s matched (similarity %.3f)", best.id, similarity)
        return best

    def _active(self) -> list[CuratedAnswer]:
        """The active answers, read again only when the file changed (any process)."""
        cached: list[CuratedAnswer] = []

        def known(revision: int) -> bool:
            nonlocal cached
            with self._lock:
                if self._cache is not None and self._cache[0] == revision:
                    cached = self._cache[1]
                    return True
            return False

        revision, rows = self.store.active(unless=known)
        if rows is None:
            return cached
        model = None
        answers, vectors = [], {}
        for answer, vector, vector_model in rows:
            answers.append(answer)
            if vector is not None and vector_model == (model := model or self._model_name()):
                vectors[answer.id] = np.frombuffer(vector, dtype=np.float32)
        with self._lock:
            self._cache = (revision, answers)
            self._vectors = vectors
        return answers

    def _vector(self, answer: CuratedAnswer) -> np.ndarray:
        with self._lock:
            vector = self._vectors.get(answer.id)
        if vector is None:  # decided with another embedding model: embedded again, once
            vector = self._embed(answer.question)
            self.store.set_vector(answer.id, vector, self._model_name())
            with self._lock:
                self._vectors[answer.id] = vector
        return vector

    def _embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def _model_name(self) -> str:
        return str(getattr(self.embedder, "name", ""))

    # --- staying true to the documents --------------------------------------------------------------
    def review(self, run: "RunReport | None" = None) -> list[CuratedAnswer]:
        """After a re-index: suspends the active answers whose source documents changed or went
        (within the run's collections; all collections without a run), then tells the observers about
        every suspended answer whose owner was not told yet (also those a re-index in another process
        suspended). Returns the answers suspended now."""
        suspended = []
        if self._documents is not None:
            for answer, reason in stale_answers(self.store.list(include_suspended=False), self._documents,
                                                review_scope(run)):
                suspended.append(self._suspend(answer, reason))
        tell_owners(self.store, self.suspended)
        return suspended

    def _suspend(self, answer: CuratedAnswer, reason: str) -> CuratedAnswer:
        moment = now()
        self.store.suspend(answer.id, reason, moment)
        log.info("curated answer %s suspended: a source changed or was removed", answer.id)
        return replace(answer, status="suspended", suspended_reason=reason, suspended_at=moment)
