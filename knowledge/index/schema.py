"""The chunks table's layout: its columns, the embedding model and the layout's version kept in its
schema metadata, and rows in (chunks with their vectors) and out (result rows back to Chunks).

Layout versions: 1 had no version in its metadata; 2 added `page` (the page a passage begins on)
and `copies` (the other paths of a document indexed once). A table of an older layout is still
searched (its passages without pages); the indexer rebuilds it whole on its next run. Columns that
need no rebuild (readers, url, the document's day) are added to an older table on its next write
(ADDED_COLUMNS), empty for the rows it has: a document gets its day when it is next read. The
passages' names (`name_text`) are added the same way, computed from the rows' own doc id, title and
headings (`name_texts`), so a table from before them is searched by name after its next write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa

from knowledge.models import EVERYONE_KEY, Chunk


def sql_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


TABLE = "chunks"
TEXT_COLUMN = "search_text"
NAME_COLUMN = "name_text"  # what names the passage (models.Chunk.name_text), full-text indexed on its own
FULL_TEXT_COLUMNS = (TEXT_COLUMN, NAME_COLUMN)
MODEL_KEY = b"vraagbaak.embedding_model"
DIMENSION_KEY = b"vraagbaak.dimension"
LAYOUT_KEY = b"vraagbaak.layout"
LAYOUT = 2
RESULT_COLUMNS = ["chunk_id", "doc_id", "collection", "source_path", "title", "headings", "text",
                   "content_hash", "ordinal", "readers", "url", "vector", "page", "copies", "dated", "dated_by"]
READERS_COLUMN = "readers"
# Columns a table made before they existed gets on its next write, as SQL over its rows: every
# document then came from a local folder (readable by everyone, the collection rules on top).
ADDED_COLUMNS = {READERS_COLUMN: f"make_array({sql_quote(EVERYONE_KEY)})", "url": "''", "dated": "''",
                 "dated_by": "''"}


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
        pa.field(NAME_COLUMN, pa.string()),
        pa.field("vector", pa.list_(pa.float32(), model.dimension)),
        pa.field("content_hash", pa.string()),
        pa.field("ordinal", pa.int32()),
        pa.field("indexed_at", pa.string()),
        pa.field("page", pa.int32()),
        pa.field("copies", pa.list_(pa.string())),
        pa.field(READERS_COLUMN, pa.list_(pa.string())),
        pa.field("url", pa.string()),
        pa.field("dated", pa.string()),  # the document's day, ISO (models.Document.dated)
        pa.field("dated_by", pa.string()),  # where that day was read (models.DATED_BY)
    ], metadata={MODEL_KEY: model.name.encode(), DIMENSION_KEY: str(model.dimension).encode(),
                 LAYOUT_KEY: str(LAYOUT).encode()})


def layout_of(schema: pa.Schema) -> int:
    """The layout version a table was written in."""
    raw = (schema.metadata or {}).get(LAYOUT_KEY)
    return int(raw.decode()) if raw else 1


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
        TEXT_COLUMN: [c.search_text for c in chunks],
        NAME_COLUMN: [c.name_text for c in chunks],
        "vector": pa.FixedSizeListArray.from_arrays(flat, model.dimension),
        "content_hash": [c.content_hash for c in chunks],
        "ordinal": [c.ordinal for c in chunks],
        "indexed_at": [now] * len(chunks),
        "page": [c.page for c in chunks],
        "copies": [list(c.copies) for c in chunks],
        READERS_COLUMN: [list(c.readers) for c in chunks],
        "url": [c.url for c in chunks],
        "dated": [c.dated for c in chunks],
        "dated_by": [c.dated_by for c in chunks],
    }
    schema = chunk_schema(model)
    return pa.table({name: pa.array(columns[name], type=schema.field(name).type)
                     if name != "vector" else columns[name] for name in schema.names}, schema=schema)


NAMED_BY = ("doc_id", "title", "headings")  # the columns a passage's name is made of


def name_texts(rows: pa.RecordBatch) -> pa.RecordBatch:
    """Rows of NAMED_BY -> their NAME_COLUMN (an older table gets it from the rows it holds)."""
    names = [Chunk(id="", doc_id=doc_id or "", collection="", title=title or "", headings=tuple(headings or ()),
                   text="", ordinal=0, content_hash="").name_text
             for doc_id, title, headings in zip(*(rows.column(c).to_pylist() for c in NAMED_BY))]
    return pa.RecordBatch.from_arrays([pa.array(names, pa.string())], names=[NAME_COLUMN])


def result_columns(schema: pa.Schema) -> list[str]:
    """The result columns a table has: one of an older layout lacks the newer ones."""
    return [c for c in RESULT_COLUMNS if c in schema.names]


def document_copies(rows: pa.Table) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Rows of doc_id, content_hash (and copies) -> doc_id -> (content_hash, copies)."""
    copies = rows["copies"].to_pylist() if "copies" in rows.column_names else [None] * rows.num_rows
    return {doc_id: (digest, tuple(others or ())) for doc_id, digest, others
            in zip(rows["doc_id"].to_pylist(), rows["content_hash"].to_pylist(), copies)}


def collection_filter(collections: Iterable[str] | None) -> str | None:
    if collections is None:
        return None
    names = list(collections)
    if not names:
        return "false"
    return f"collection IN ({', '.join(sql_quote(n) for n in names)})"


def readers_filter(readers: Iterable[str] | None) -> str | None:
    """Rows at least one of these principals may read; None: no filter (the operator's own CLI)."""
    if readers is None:
        return None
    keys = sorted(set(readers))
    if not keys:
        return "false"
    return f"array_has_any({READERS_COLUMN}, [{', '.join(sql_quote(k) for k in keys)}])"


def both(*clauses: str | None) -> str | None:
    present = [f"({c})" for c in clauses if c]
    return " AND ".join(present) or None


def result_rows(table: pa.Table) -> list[dict]:
    """Result rows as dicts, the vector as a numpy array (to_list would make Python floats of it)."""
    if table.num_rows == 0:
        return []
    vectors = table["vector"].combine_chunks()
    matrix = vectors.values.to_numpy(zero_copy_only=False).reshape(table.num_rows, -1)
    rows = table.drop_columns(["vector"]).to_pylist()
    for row, vector in zip(rows, matrix):
        row["vector"] = vector
    return rows


def chunk_of(row: dict) -> Chunk:
    return Chunk(id=row["chunk_id"], doc_id=row["doc_id"], collection=row["collection"],
                 title=row["title"], headings=tuple(row["headings"] or ()), text=row["text"],
                 ordinal=int(row["ordinal"]), content_hash=row["content_hash"],
                 source_path=row["source_path"] or "", page=row.get("page"), copies=tuple(row.get("copies") or ()),
                 readers=tuple(row.get(READERS_COLUMN) or ()), url=row.get("url") or "",
                 dated=row.get("dated") or "", dated_by=row.get("dated_by") or "")
