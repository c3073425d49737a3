"""LanceDB: one table of chunks with a vector column and a Dutch full-text index.

Writes are single commits (a merge or an overwrite), so readers see the old or the new state,
never a half one. The embedding model that built the vectors is kept in the table's schema
metadata; the indexer rebuilds when it changes and a search with another model is refused.

Faults (issue 13, point 7), as Lance 14 behaves (tried on a full tmpfs and on damaged files):
- A write that runs out of disk space fails before its commit, and Lance removes the files it had
  started; the previous version stays the latest one. It is raised as DiskFullError (Dutch, with the
  free space). When the rows were committed and only the full-text index refresh ran out of space, the
  rows are searched unindexed until the next refresh, and the index folder the refresh had begun is
  removed (Lance's clean-up would keep it 7 days, taking the space the next run needs).
- A missing or damaged file is raised as IndexDamagedError, naming the file, by every read;
  `damage()` looks for it on purpose (every file of the latest version, then a full read), and
  `drop()` removes the table so that `vraagbaak index --full` builds it anew.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import pyarrow as pa

from knowledge.errors import DiskFullError, EmbeddingModelMismatchError, IndexDamagedError, KnowledgeError
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
REBUILD_HINT = "de beheerder doet dat met `vraagbaak index --full`"
_U64_MAX = 2**64 - 1  # Lance's V2 manifest names count down from here: the newest sorts first
ORPHAN_AGE_S = 120.0  # data files without any manifest, older than this: the manifests were lost


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
            with self._reading():
                try:
                    self._table = self._db.open_table(TABLE)
                except (FileNotFoundError, ValueError) as exc:
                    if "LanceError" in str(exc) or self._orphaned_files():
                        raise
                    return None  # no table yet
        return self._table

    @property
    def table_dir(self) -> Path | None:
        """The table's folder, for a local index (None for object storage)."""
        return None if "://" in self.uri else Path(self.uri) / f"{TABLE}.lance"

    def _orphaned_files(self) -> bool:
        """Data of the table on disk, but no version to read it by (every manifest gone). Files younger
        than ORPHAN_AGE_S may be a first write on its way to its first commit: not orphans yet."""
        folder = self.table_dir
        return folder is not None and _orphans(folder)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Lance's errors about the table's files as IndexDamagedError, naming the file."""
        with self._lance_errors(None):
            yield

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """As _reading, and a write that ran out of disk space as DiskFullError."""
        with self._lance_errors(what):
            yield

    @contextmanager
    def _lance_errors(self, writing: str | None) -> Iterator[None]:
        try:
            yield
        except KnowledgeError:
            raise
        except Exception as exc:
            if writing is not None and _is_disk_full(exc):
                raise self._disk_full(writing) from exc
            if not _is_lance_error(exc) and not self._orphaned_files():
                raise
            self._table = None  # reopened by the next read: `index --full` may have rebuilt it
            log.warning("index unreadable: %s", exc)
            raise IndexDamagedError(
                f"De zoekindex is beschadigd ({self._damage_detail(exc)}) en moet opnieuw worden "
                f"opgebouwd; {REBUILD_HINT}.") from exc

    def _disk_full(self, what: str) -> DiskFullError:
        self._table = None
        free = ""
        if self.table_dir is not None:
            try:
                free = f"; nog {_megabytes(shutil.disk_usage(self.uri).free)} vrij op die schijf"
            except OSError:
                pass
        return DiskFullError(f"De schijf is vol: {what} kon niet worden geschreven in {self.uri}{free}. "
                             "De vorige versie van de index blijft in gebruik. Maak ruimte vrij en "
                             "herindexeer (`vraagbaak index`).")

    def _damage_detail(self, exc: BaseException) -> str:
        """Which file and what is wrong with it: from a look at the files of the latest version
        (cheap: no data is read), else from Lance's message."""
        try:
            found = self._structural_damage()
        except Exception:  # the message below still says something
            log.debug("looking for the damaged file failed", exc_info=True)
            found = []
        if found:
            return f"tabel '{TABLE}': {found[0]}"
        text, name = str(exc), self._damaged_file(exc)
        named = name != f"{TABLE}.lance"
        if "Not found" in text or "No such file" in text:
            return f"tabel '{TABLE}': bestand {name} ontbreekt"
        if "Permission denied" in text:
            return f"tabel '{TABLE}': geen leesrechten op {name}"
        if "Invalid range" in text or "too small" in text:
            return f"tabel '{TABLE}': {'bestand ' + name if named else 'een bestand'} is afgekapt"
        return f"tabel '{TABLE}': {'bestand ' + name if named else 'een bestand'} is onleesbaar"

    def exists(self) -> bool:
        return self._open() is not None

    def version(self) -> int:
        """Changes on every write; 0 while there is no table."""
        table = self._open()
        if table is None:
            return 0
        with self._reading():
            return int(table.version)

    def model(self) -> ModelInfo | None:
        """The embedding model recorded for the vectors in the table."""
        table = self._open()
        if table is None:
            return None
        with self._reading():
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
        with self._reading():
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
        with self._reading():
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
        with self._writing(f"de nieuwe versie van collectie '{collection}' ({rows.num_rows} passages)"):
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
        with self._writing(f"de index ({rows.num_rows} passages)"):
            table = self._db.create_table(TABLE, data=rows, schema=chunk_schema(model), mode="overwrite")
            self._table = table
            self._create_fts_index(table)

    def _create_fts_index(self, table) -> None:
        from lancedb.index import FTS

        table.create_index(TEXT_COLUMN, config=FTS(
            language=self.fts_language, stem=True, remove_stop_words=True, ascii_folding=True,
            lower_case=True, with_position=False))

    def _refresh_fts_index(self, table) -> None:
        """Adds new rows to the full-text index. Lance also searches rows the index does not cover
        yet (more slowly), so readers never miss rows in between (tested)."""
        before = self._index_folders()
        try:
            if any(TEXT_COLUMN in index.columns for index in table.list_indices()):
                table.to_lance().optimize.optimize_indices()
            else:  # the write that made the table ran out of space before its index: made now
                self._create_fts_index(table)
            table.checkout_latest()
        except Exception as exc:  # a failed index refresh loses speed, not rows: log and go on
            if _is_disk_full(exc):
                self._remove_unfinished_index(table, before)
                log.warning("disk full: the full-text index was not refreshed; new rows are searched "
                            "unindexed until the next refresh (%s)", self.uri)
            else:
                log.warning("full-text index refresh failed; new rows are searched unindexed", exc_info=True)

    def _index_folders(self) -> set[str]:
        folder = self.table_dir
        return {p.name for p in (folder / "_indices").iterdir()} if folder and (folder / "_indices").is_dir() else set()

    def _remove_unfinished_index(self, table, before: set[str]) -> None:
        """The folders a refresh that ran out of space had begun: no version names them, and Lance's
        clean-up would keep them for 7 days (it cannot tell them from a write in progress), taking
        the space the next run needs. The re-index lock is held: no other writer made them."""
        try:
            kept = {str(index.index_uuid) for index in table.list_indices()}
        except Exception:  # cannot tell which are in use: leave them to Lance's clean-up
            return
        for name in self._index_folders() - before - kept:
            shutil.rmtree(self.table_dir / "_indices" / name, ignore_errors=True)

    # --- maintenance --------------------------------------------------------------------------------

    def optimize(self, *, keep_superseded: timedelta = timedelta(minutes=10)) -> dict:
        """Compacts files, refreshes indices and removes versions superseded more than
        `keep_superseded` ago, so a reader still busy with the previous version is never broken."""
        table = self._open()
        if table is None:
            return {"optimized": False}
        before = self.version()
        with self._writing("het onderhoud van de index (compactie)"):
            # Lance never removes the latest version, and _cleanup_age keeps the one before it for
            # keep_superseded: a failed write (disk full) made no version, so the good one stays.
            cutoff = _cleanup_age(table.list_versions(), keep_superseded)
            table.optimize(cleanup_older_than=cutoff)
            table.checkout_latest()
        if self._vocabulary is not None:  # in use: rebuilt now (~1 s at 10k chunks), not by the next question
            self._build_vocabulary()
        return {"optimized": True, "version_before": before, "version_after": self.version(),
                "versions_kept": len(table.list_versions())}


    # --- faults -------------------------------------------------------------------------------------

    def damage(self) -> list["IndexProblem"]:
        """What is wrong with the table's files, found by looking (for `vraagbaak doctor`): every
        file the latest version needs is there and as large as written, then every row and the
        full-text index are read once. Empty when the table is whole, or when there is none."""
        problems, folder = self._structural_damage(), self.table_dir
        if problems or folder is not None and not (folder.exists() and _manifests(folder)):
            return problems  # damaged, or no table (yet): nothing to read
        import lance

        dataset = lance.dataset(self._dataset_uri())
        version, problems = dataset.version, []
        for fragment in dataset.get_fragments():  # every column of every row, decoded
            try:
                for _ in fragment.to_batches(batch_size=1024):
                    pass
            except Exception as exc:
                files = ", ".join(f"data/{f.path}" for f in fragment.metadata.files)
                problems.append(IndexProblem(files, f"is onleesbaar (corrupt): {_first_line(exc)}", version))
        for index in dataset.describe_indices():
            try:
                dataset.prewarm_index(index.name)  # reads the whole index
            except Exception as exc:
                named = self._damaged_file(exc)
                where = named if named != f"{TABLE}.lance" else "_indices/"
                problems.append(IndexProblem(where, f"(zoekindex {index.name}) is onleesbaar: {_first_line(exc)}",
                                             version))
        return problems

    def _dataset_uri(self) -> str:
        return str(self.table_dir) if self.table_dir is not None else f"{self.uri.rstrip('/')}/{TABLE}.lance"

    def _structural_damage(self) -> list["IndexProblem"]:
        """Manifests, and the files the latest version names, without reading any data."""
        import lance

        folder = self.table_dir
        manifests: list[tuple[int, Path]] = []
        if folder is not None:
            if not folder.exists():
                return []
            manifests = _manifests(folder)
            if not manifests:
                if _orphans(folder):
                    return [IndexProblem("_versions/", "bevat geen enkel versiebestand (manifest) meer: "
                                                       "de gegevens in data/ zijn onvindbaar")]
                return []
        try:
            dataset = lance.dataset(self._dataset_uri())
        except Exception as exc:
            if not manifests:
                return [IndexProblem(f"{TABLE}.lance", f"is onleesbaar: {_first_line(exc)}")]
            version, newest = manifests[0]
            return [IndexProblem(f"_versions/{newest.name}", "is onleesbaar (afgekapt of beschadigd)", version)]
        version = dataset.version
        problems = []
        hinted = _hinted_version(folder) if folder is not None else None
        if hinted is not None and hinted > version:
            v2_names = not manifests or int(manifests[0][1].stem) > 2**63
            name = f"{_U64_MAX - hinted:020d}" if v2_names else str(hinted)
            problems.append(IndexProblem(f"_versions/{name}.manifest",
                                         f"ontbreekt: de index toont de oudere versie {version}", hinted))
        if folder is not None:
            problems.extend(_missing_or_short(dataset, folder, version))
        return problems

    def drop(self) -> None:
        """Removes the table, damaged or not, with every file of it; a full re-index builds it anew."""
        try:
            self._db.drop_table(TABLE, ignore_missing=True)
        except Exception:  # a table too damaged for Lance to drop: its folder goes below
            log.warning("lance could not drop the damaged table; removing its folder", exc_info=True)
        folder = self.table_dir
        if folder is not None and folder.exists():
            shutil.rmtree(folder)
        self._table = None
        self._vocabulary = None

    def _damaged_file(self, exc: BaseException) -> str:
        """The file Lance's message names, relative to the table's folder."""
        found = re.search(rf"{re.escape(TABLE)}\.lance/([^\s,]+\.(?:lance|manifest|txn|json))(?=[\s,]|$)", str(exc))
        return found.group(1) if found else f"{TABLE}.lance"


@dataclass(frozen=True)
class IndexProblem:
    """One damaged part of the table: a file (relative to the table's folder), what is wrong with it
    (Dutch), and the version it belongs to when known."""

    file: str
    problem: str
    version: int | None = None

    def __str__(self) -> str:
        return (f"versie {self.version}: " if self.version is not None else "") + f"{self.file} {self.problem}"


def _is_lance_error(exc: BaseException) -> bool:
    """Lance's errors come as RuntimeError, OSError, ValueError or pyarrow's ArrowInvalid; their text
    says where they come from."""
    text = str(exc)
    return any(mark in text for mark in ("LanceError", "lance error", "External error"))


def _is_disk_full(exc: BaseException | None) -> bool:
    """ENOSPC from Python, or from Lance's Rust code (`No space left on device (os error 28)`)."""
    while exc is not None:
        if getattr(exc, "errno", None) == errno.ENOSPC or "os error 28" in str(exc):
            return True
        exc = exc.__cause__
    return False


def _orphans(folder: Path) -> bool:
    if _manifests(folder):
        return False
    cutoff = time.time() - ORPHAN_AGE_S
    try:
        return any(path.stat().st_mtime < cutoff for path in (folder / "data").glob("*.lance"))
    except FileNotFoundError:  # removed while looking: a drop, not damage
        return False


def _manifests(folder: Path) -> list[tuple[int, Path]]:
    """(version, file) of every manifest, the newest first. Lance's V2 names count down from
    2**64 - 1; V1 names are the version itself."""
    found = []
    for path in (folder / "_versions").glob("*.manifest"):
        try:
            number = int(path.stem)
        except ValueError:
            continue
        found.append((_U64_MAX - number if number > 2**63 else number, path))
    return sorted(found, reverse=True)


def _hinted_version(folder: Path) -> int | None:
    """The version Lance last committed, as its hint file says (None when there is none)."""
    try:
        return int(json.loads((folder / "_versions" / "latest_version_hint.json").read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _missing_or_short(dataset, folder: Path, version: int) -> list[IndexProblem]:
    """Files of `version` that are gone, and data files shorter or longer than Lance wrote them."""
    sizes = {f"data/{file.path}": file.file_size_bytes
             for fragment in dataset.get_fragments() for file in fragment.metadata.files}
    tracked = dataset.tracked_files(min_version=version).read_all().to_pylist()
    problems = []
    for entry in tracked:
        if entry["version"] != version or entry["type"] == "manifest":
            continue
        path = folder / entry["path"]
        if not path.exists():
            problems.append(IndexProblem(entry["path"], "ontbreekt", version))
            continue
        expected, actual = sizes.get(entry["path"]), path.stat().st_size
        if expected and actual != expected:
            problems.append(IndexProblem(entry["path"], f"is afgekapt of beschadigd: {actual} van {expected} bytes",
                                         version))
    return problems


def _first_line(exc: BaseException) -> str:
    """Lance's message without the Rust source locations it ends in."""
    line = (str(exc).splitlines() or [type(exc).__name__])[0]
    return re.sub(r",\s*/\S+\.rs:\d+:\d+.*$", "", line)[:300]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"

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
