"""How documents are cut into passages, embedded, searched and reordered."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Retrieval(Area):
    """Retrieval: the embedding model, passage size, search mode and the reranker."""

    embedding_model: str = setting(
        "auto", "VRAAGBAAK_EMBEDDING_MODEL",
        "Embedding model: a packaged one by name (`multilingual-e5-small-q4`, `all-MiniLM-L6-v2`), or a "
        "sentence-transformers model name or folder. `auto`: the pulled multilingual model when present in "
        "models_dir, else the packaged multilingual-e5-small-q4 (offline default; Dutch and English).")
    embedding_batch_size: int = setting(
        32, "VRAAGBAAK_EMBEDDING_BATCH_SIZE", "Chunks per embedding batch.")
    embedding_backend: str = setting(
        "torch", "VRAAGBAAK_EMBEDDING_BACKEND",
        "sentence-transformers backend: torch, onnx or openvino.", choices=("torch", "onnx", "openvino"))
    chunk_tokens: int = setting(
        350, "VRAAGBAAK_CHUNK_TOKENS", "Target chunk size in tokens of the embedding model.")
    chunk_overlap_tokens: int = setting(
        40, "VRAAGBAAK_CHUNK_OVERLAP_TOKENS", "Tokens repeated between consecutive chunks of one section.")
    search_mode: str = setting(
        "hybrid", "VRAAGBAAK_SEARCH_MODE", "Default search mode: hybrid, vector or fts.",
        choices=("hybrid", "vector", "fts"))
    top_k: int = setting(6, "VRAAGBAAK_TOP_K", "Passages retrieved per question.")
    min_relevance: float = setting(
        -1.0, "VRAAGBAAK_MIN_RELEVANCE",
        "Relevance below which Vraagbaak says the documents do not answer the question. "
        "-1: the calibrated default for the embedding model in use.")
    reranker: str = setting(
        "auto", "VRAAGBAAK_RERANKER",
        "Cross-encoder that reorders the best candidates before the top k is taken (sentence-transformers "
        "folder or name). `auto`: the pulled mmarco-mMiniLMv2 cross-encoder when present in models_dir, else "
        "off. Empty or `off`: no reranking.")
    rerank_depth: int = setting(
        20, "VRAAGBAAK_RERANK_DEPTH",
        "Candidates the reranker reads per question (each one is a question+passage pair through the "
        "cross-encoder: the cost grows with this number).", minimum=1)
