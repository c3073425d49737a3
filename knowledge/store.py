"""LanceDB: one table of chunks with a vector column and a Dutch full-text index.

Writes are single commits (a merge or an overwrite), so readers see the old or the new state,
never a half one. The embedding model that built the vectors is kept in the table's schema
metadata; the indexer rebuilds when it changes and a search with another model is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa

from knowledge.errors import EmbeddingModelMismatchError, KnowledgeError
from knowledge.fusion import diversify, fuse
from knowledge.models import Chunk, Hit
from knowledge.query import Vocabulary

log = logging.getLogger(__name__)

TABLE = "chunks"
TEXT_COLUMN = "search_text"
_MODEL_KEY = b"vraagbaak.embedding_model"
_DIMENSION_KEY = b"vraagbaak.dimension"
_RESULT_COLUMNS = ["chunk_id", "doc_id", "collection", "source_path", "title", "headings", "text",
                   "content_hash", "ordinal", "vector"]
SEARCH_MODES = ("hybrid", "vector", "fts")


@dataclass(frozen=True)
class ModelInfo:
    """Which embedding model built the vectors."""

    name: str
    dimension: int


def chunk_schema(model: ModelInfo) -> pa.Schema:
    return pa.schema([
        pa.field("chunk_id", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),
        pa.field("collection", pa.string()),
        pa.field("source_path", pa.string()),
        pa.field("title", pa.string()),
        pa.field("headings", pa.list_(pa.string())),
        pa.field("text", pa.string()),
        pa.field(TEXT_COLUMN, pa.string()),
        pa.field("vector", pa.list_(pa.float32(), model.dimension)),
        pa.field("content_hash", pa.string()),
        pa.field("ordinal", pa.int32()),
        pa.field("indexed_at", pa.string()),
    ], metadata={_MODEL_KEY: model.name.encode(), _DIMENSION_KEY: str(model.dimension).encode()})


def chunk_rows(chunks: Sequence[Chunk], vectors: np.ndarray, model: ModelInfo) -> pa.Table:
    """Chunks and their vectors as rows of the chunks table."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    flat = pa.array(np.asarray(vectors, dtype=np.float32).reshape(-1), type=pa.float32())
    columns = {
        "chunk_id": [c.id for c in chunks],
        "doc_id": [c.doc_id for c in chunks],
        "collection": [c.collection for c in chunks],
        "source_path": [c.source_path for c in chunks],
        "title": [c.title for c in chunks],
        "headings": [list(c.headings) for c in chunks],
        "text": [c.text for c in chunks],
        TEXT_COLUMN: [c.embedding_text for c in chunks],
        "vector": pa.FixedSizeListArray.from_arrays(flat, model.dimension),
        "content_hash": [c.content_hash for c in chunks],
        "ordinal": [c.ordinal for c in chunks],
        "indexed_at": [now] * len(chunks),
    }
    schema = chunk_schema(model)
    return pa.table({name: pa.array(columns[name], type=schema.field(name).type)
                     if name != "vector" else columns[name] for name in schema.names}, schema=schema)


def sql_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def collection_filter(collections: Iterable[str] | None) -> str | None:
    if collections is None:
        return None
    names = list(collections)
    if not names:
        return "false"
    return f"collection IN ({', '.join(sql_quote(n) for n in names)})"


class ChunkStore:
    """The chunks table at `uri` (a folder, or an object-storage URI)."""

    def __init__(self, uri: str, *, fts_language: str = "Dutch") -> None:
        import lancedb

        self.uri = uri
        self.fts_language = fts_language
        # Strong consistency: every read sees the latest commit, also one made by another process.
        self._db = lancedb.connect(uri, read_consistency_interval=timedelta(0))
        self._table = None
        self._vocabulary: tuple[int, Vocabulary] | None = None

    # --- reading ------------------------------------------------------------------------------------

    def _open(self):
        if self._table is None:
            try:
                self._table = self._db.open_table(TABLE)
            except (FileNotFoundError, ValueError):
                return None
        return self._table

    def exists(self) -> bool:
        return self._open() is not None

    def version(self) -> int:
        """Changes on every write; 0 while there is no table."""
        table = self._open()
        return int(table.version) if table is not None else 0

    def model(self) -> ModelInfo | None:
        """The embedding model recorded for the vectors in the table."""
        table = self._open()
        if table is None:
            return None
        meta = table.schema.metadata or {}
        if _MODEL_KEY not in meta:
            return None
        return ModelInfo(meta[_MODEL_KEY].decode(), int(meta[_DIMENSION_KEY].decode()))

    def check_model(self, model: ModelInfo) -> None:
        """Raises when the table was built with another embedding model."""
        recorded = self.model()
        if recorded is not None and recorded != model:
            raise EmbeddingModelMismatchError(
                f"De index is gebouwd met embeddingmodel '{recorded.name}' ({recorded.dimension} dim.), "
                f"maar nu is '{model.name}' ({model.dimension} dim.) ingesteld. "
                "Voer `vraagbaak index --full` uit om de index opnieuw op te bouwen.")

    def _scan(self, columns: list[str], where: str | None = None) -> pa.Table:
        table = self._open()
        if table is None:
            return pa.table({c: pa.array([], pa.string()) for c in columns})
        return table.to_lance().to_table(columns=columns, filter=where)

    def documents(self, collection: str) -> dict[str, str]:
        """doc_id -> content_hash of every document indexed in a collection."""
        rows = self._scan(["doc_id", "content_hash"], f"collection = {sql_quote(collection)}")
        return dict(zip(rows["doc_id"].to_pylist(), rows["content_hash"].to_pylist()))

    def stats(self) -> dict:
        """Documents and chunks, in total and per collection."""
        rows = self._scan(["collection", "doc_id"])
        per: dict[str, dict[str, int]] = {}
        for coll, docs in _group(rows).items():
            per[coll] = {"documents": len(set(docs)), "chunks": len(docs)}
        model = self.model()
        return {
            "documents": sum(p["documents"] for p in per.values()),
            "chunks": rows.num_rows,
            "collections": per,
            "version": self.version(),
            "embedding_model": model.name if model else None,
            "dimension": model.dimension if model else None,
        }

    def vocabulary(self) -> Vocabulary:
        """The words of the indexed chunks and their chunk frequencies, for the index's version."""
        known = self._vocabulary
        if known is None or known[0] != self.version():
            known = self._build_vocabulary()
        return known[1]

    def _build_vocabulary(self) -> tuple[int, Vocabulary]:
        version = self.version()
        texts = self._scan([TEXT_COLUMN])[TEXT_COLUMN].to_pylist()
        self._vocabulary = (version, Vocabulary([t or "" for t in texts]))  # swapped whole: readers see old or new
        return self._vocabulary

    # --- searching ----------------------------------------------------------------------------------

    def search(self, query_vector: np.ndarray, query_text: str, *, mode: str = "hybrid", k: int = 5,
               collections: Iterable[str] | None = None, depth: int = 40,
               weights: tuple[float, float] = (1.0, 1.0),
               per_document: int | None = None) -> list[Hit]:
        """Top k hits; `collections` filters before ranking, so other collections never come back."""
        if mode not in SEARCH_MODES:
            raise KnowledgeError(f"Onbekende zoekmodus '{mode}': kies uit {', '.join(SEARCH_MODES)}.")
        table = self._open()
        if table is None or k <= 0:
            return []
        where = collection_filter(collections)
        limit = max(k, depth) if mode == "hybrid" else k
        vector_rows = self._vector_rows(table, query_vector, limit, where) if mode != "fts" else []
        text_rows = self._text_rows(table, query_text, limit, where) if mode != "vector" else []
        if mode == "vector":
            ranked = [(row, 1.0 - row["_distance"]) for row in vector_rows]
        elif mode == "fts":
            ranked = [(row, row["_score"]) for row in text_rows]
        else:
            ranked = diversify(fuse(vector_rows, text_rows, key="chunk_id", weights=weights),
                               key="doc_id", per_key=per_document)
        query = np.asarray(query_vector, dtype=np.float32)
        return [Hit(chunk=_chunk(row), score=float(score), rank=i + 1,
                    relevance=float(np.dot(query, row["vector"])))
                for i, (row, score) in enumerate(ranked[:k])]

    def _vector_rows(self, table, vector: np.ndarray, limit: int, where: str | None) -> list[dict]:
        query = (table.search(np.asarray(vector, dtype=np.float32), vector_column_name="vector")
                 .distance_type("cosine").limit(limit).select([*_RESULT_COLUMNS, "_distance"]))
        if where:
            query = query.where(where, prefilter=True)
        return _rows(query.to_arrow())

    def _text_rows(self, table, text: str, limit: int, where: str | None) -> list[dict]:
        from lancedb.query import MatchQuery

        if not text.strip():
            return []
        query = (table.search(MatchQuery(text, TEXT_COLUMN), query_type="fts")
                 .limit(limit).select([*_RESULT_COLUMNS, "_score"]))
        if where:
            query = query.where(where, prefilter=True)
        return _rows(query.to_arrow())

    # --- writing ------------------------------------------------------------------------------------

    def replace_documents(self, collection: str, rows: pa.Table, doc_ids: Iterable[str], *,
                          model: ModelInfo, whole_collection: bool = False) -> bool:
        """In one commit: upsert `rows`, and drop the other chunks of `doc_ids` (or, with
        whole_collection, of every document of the collection that `rows` does not cover).
        Returns whether anything was written."""
        doc_ids = sorted(set(doc_ids))
        table = self._open()
        if table is None:
            if rows.num_rows:
                self._create(rows, model)
            return rows.num_rows > 0
        self.check_model(model)
        scope = f"collection = {sql_quote(collection)}"
        if not whole_collection:
            if not doc_ids and not rows.num_rows:
                return False
            scope += f" AND doc_id IN ({', '.join(sql_quote(d) for d in doc_ids) or 'NULL'})"
        if rows.num_rows == 0:
            table.delete(scope)
        else:
            (table.merge_insert("chunk_id").when_matched_update_all().when_not_matched_insert_all()
             .when_not_matched_by_source_delete(scope).execute(rows))
        self._refresh_fts_index(table)
        return True

    def overwrite(self, rows: pa.Table, model: ModelInfo) -> None:
        """Replaces the whole table in one commit (e.g. after a change of embedding model)."""
        self._create(rows, model)

    def _create(self, rows: pa.Table, model: ModelInfo) -> None:
        from lancedb.index import FTS

        table = self._db.create_table(TABLE, data=rows, schema=chunk_schema(model), mode="overwrite")
        table.create_index(TEXT_COLUMN, config=FTS(
            language=self.fts_language, stem=True, remove_stop_words=True, ascii_folding=True,
            lower_case=True, with_position=False))
        self._table = table

    def _refresh_fts_index(self, table) -> None:
        """Adds new rows to the full-text index. Lance also searches rows the index does not cover
        yet (more slowly), so readers never miss rows in between (tested)."""
        try:
            table.to_lance().optimize.optimize_indices()
            table.checkout_latest()
        except Exception:  # a failed index refresh loses speed, not rows: log and go on
            log.warning("full-text index refresh failed; new rows are searched unindexed", exc_info=True)

    # --- maintenance --------------------------------------------------------------------------------

    def optimize(self, *, keep_superseded: timedelta = timedelta(minutes=10)) -> dict:
        """Compacts files, refreshes indices and removes versions superseded more than
        `keep_superseded` ago, so a reader still busy with the previous version is never broken."""
        table = self._open()
        if table is None:
            return {"optimized": False}
        before = self.version()
        cutoff = _cleanup_age(table.list_versions(), keep_superseded)
        table.optimize(cleanup_older_than=cutoff)
        table.checkout_latest()
        if self._vocabulary is not None:  # in use: rebuilt now (~1 s at 10k chunks), not by the next question
            self._build_vocabulary()
        return {"optimized": True, "version_before": before, "version_after": self.version(),
                "versions_kept": len(table.list_versions())}


def _cleanup_age(versions: list[dict], keep_superseded: timedelta) -> timedelta:
    """An age such that only versions whose successor is older than keep_superseded go.

    Lance removes versions older than the age. Version j = the newest one created before
    now - keep_superseded: everything older than j was superseded long enough ago; j itself
    may still be read, so it stays.
    """
    now = datetime.now()
    stamps = sorted(v["timestamp"] for v in versions)
    old = [ts for ts in stamps if now - _naive(ts) > keep_superseded]
    if not old:
        return timedelta(days=3650)
    # a second of margin: Lance takes its own `now` a moment later than ours
    return now - _naive(old[-1]) + timedelta(seconds=1)


def _naive(ts: datetime) -> datetime:
    return ts.astimezone().replace(tzinfo=None) if ts.tzinfo else ts


def _group(rows: pa.Table) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for coll, doc in zip(rows["collection"].to_pylist(), rows["doc_id"].to_pylist()):
        grouped.setdefault(coll, []).append(doc)
    return grouped


def _rows(table: pa.Table) -> list[dict]:
    """Result rows as dicts, the vector as a numpy array (to_list would make Python floats of it)."""
    if table.num_rows == 0:
        return []
    vectors = table["vector"].combine_chunks()
    matrix = vectors.values.to_numpy(zero_copy_only=False).reshape(table.num_rows, -1)
    rows = table.drop_columns(["vector"]).to_pylist()
    for row, vector in zip(rows, matrix):
        row["vector"] = vector
    return rows


def _chunk(row: dict) -> Chunk:
    return Chunk(id=row["chunk_id"], doc_id=row["doc_id"], collection=row["collection"],
                 title=row["title"], headings=tuple(row["headings"] or ()), text=row["text"],
                 ordinal=int(row["ordinal"]), content_hash=row["content_hash"],
                 source_path=row["source_path"] or "")
