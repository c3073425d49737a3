# Longer than 400 lines: one class over one LanceDB table (read, filtered search, write, repair) behind the
# same Lance fault handling; its parts share the table handle and its version, which a split would pass around.
"""LanceDB: one table of chunks with a vector column and a Dutch full-text index.

Writes are single commits (a merge or an overwrite), so readers see the old or the new state,
never a half one. The embedding model that built the vectors is kept in the table's schema
metadata; the indexer rebuilds when it changes and a search with another model is refused.

Faults, as Lance 14 behaves (tried on a full tmpfs and on damaged files):
- A write that runs out of disk space fails before its commit, and Lance removes the files it had
  started; the previous version stays the latest one. It is raised as DiskFullError (Dutch, with the
  free space). When the rows were committed and only the full-text index refresh ran out of space, the
  rows are searched unindexed until the next refresh, and the index folder the refresh had begun is
  removed (Lance's clean-up would keep it 7 days, taking the space the next run needs).
- A missing or damaged file is raised as IndexDamagedError, naming the file, by every read;
  `damage()` looks for it on purpose (the forensics are in health.py), and `drop()` removes the
  table so that `vraagbaak index --full` builds it anew.
"""

from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa

from knowledge.errors import DiskFullError, EmbeddingModelMismatchError, IndexDamagedError, KnowledgeError
from knowledge.fusion import diversify, fuse
from knowledge.index.health import IndexProblem, damage, damage_detail, is_disk_full, is_lance_error, orphans
from knowledge.index.kept import KeptPerVersion
from knowledge.index.object_storage import ObjectStorage, unreachable
from knowledge.index.schema import (ADDED_COLUMNS, DIMENSION_KEY, FULL_TEXT_COLUMNS, LAYOUT, MODEL_KEY, NAME_COLUMN,
                                    NAMED_BY, READERS_COLUMN, TABLE, TEXT_COLUMN, ModelInfo, both, chunk_of,
                                    chunk_schema, collection_filter, document_copies, layout_of, name_texts,
                                    readers_filter, result_columns, result_rows, sql_quote)
from knowledge.index.vectors import IndexVectors
from knowledge.index.versions import cleanup_age
from knowledge.index.vocabulary import IndexVocabulary
from knowledge.models import Hit
from knowledge.query import TextQuery, Vocabulary

log = logging.getLogger(__name__)

SEARCH_MODES = ("hybrid", "vector", "fts")
REBUILD_HINT = "de beheerder doet dat met `vraagbaak index --full`"


class ChunkStore:
    """The chunks table at `uri` (a folder, or an object-storage URI reached as `storage` says)."""

    def __init__(self, uri: str, *, fts_language: str = "Dutch", storage: ObjectStorage | None = None) -> None:
        self.uri = uri
        self.fts_language = fts_language
        self.storage = storage
        self.storage_options = storage.storage_options() if storage else None
        self._connection = None
        self._table = None
        self._vocabulary = IndexVocabulary(self.version, lambda: self._scan([TEXT_COLUMN])[TEXT_COLUMN].to_pylist(),
                                           fts_language)
        self._vectors = IndexVectors(self.version, lambda: self._open().to_lance())
        # collection -> doc_id -> readers, filled per collection as asked (readers())
        self._readers: KeptPerVersion[dict[str, dict[str, tuple[str, ...]]]] = KeptPerVersion(
            self.version, lambda: (self.version(), {}))
        self._titles = KeptPerVersion(self.version, lambda: (self.version(), self._document_titles()))
        # the full-text columns an index covers (a table from before the passages' names has one)
        self._full_text = KeptPerVersion(self.version, lambda: (self.version(), self._indexed_columns()))

    @property
    def _db(self):
        """The connection, made by the first read or write: an object store's errors are explained there."""
        if self._connection is None:
            import lancedb

            # Strong consistency: every read sees the latest commit, also one made by another process.
            self._connection = lancedb.connect(self.uri, read_consistency_interval=timedelta(0),
                                               storage_options=self.storage_options)
        return self._connection

    # --- reading ------------------------------------------------------------------------------------

    def _open(self):
        if self._table is None:
            with self._reading():
                try:
                    self._table = self._db.open_table(TABLE)
                except (FileNotFoundError, ValueError) as exc:
                    if "LanceError" in str(exc) or self._orphaned_files() or unreachable(exc, self.uri, self.storage):
                        raise
                    return None  # no table yet
        return self._table

    @property
    def table_dir(self) -> Path | None:
        """The table's folder, for a local index (None for object storage)."""
        return None if "://" in self.uri else Path(self.uri) / f"{TABLE}.lance"

    def _orphaned_files(self) -> bool:
        """Data of the table on disk, but no version to read it by (health.orphans)."""
        folder = self.table_dir
        return folder is not None and orphans(folder)

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
            if (refused := unreachable(exc, self.uri, self.storage)) is not None:
                raise refused from None
            if writing is not None and is_disk_full(exc):
                raise self._disk_full(writing) from exc
            if not is_lance_error(exc) and not self._orphaned_files():
                raise
            self._table = None  # reopened by the next read: `index --full` may have rebuilt it
            log.warning("index unreadable: %s", exc)
            detail = damage_detail(self.table_dir, self._dataset_uri(), exc, self.storage_options)
            raise IndexDamagedError(
                f"De zoekindex is beschadigd ({detail}) en moet opnieuw worden opgebouwd; {REBUILD_HINT}.") from exc

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
        if MODEL_KEY not in meta:
            return None
        return ModelInfo(meta[MODEL_KEY].decode(), int(meta[DIMENSION_KEY].decode()))

    def outdated(self) -> bool:
        """Whether the table was written in an older layout (schema.py): the indexer rebuilds it."""
        table = self._open()
        return table is not None and layout_of(table.schema) < LAYOUT

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
        """doc_id -> content_hash of every document in a collection, the copies of one indexed once among them."""
        return {doc_id: digest for first, (digest, copies) in self.copies(collection).items()
                for doc_id in (first, *copies)}

    def copies(self, collection: str) -> dict[str, tuple[str, tuple[str, ...]]]:
        """doc_id -> (content_hash, the other paths of the same content) of every indexed document."""
        kept = result_columns(self._open().schema) if self.exists() else []
        return document_copies(self._scan(["doc_id", "content_hash", *(["copies"] if "copies" in kept else [])],
                                          f"collection = {sql_quote(collection)}"))

    def _columns(self, table) -> list[str]:
        with self._reading():
            return list(table.schema.names)

    def source_ids(self, collection: str) -> dict[str, str]:
        """source id (kept in `source_path`) -> doc_id of every document indexed in a collection."""
        rows = self._scan(["doc_id", "source_path"], f"collection = {sql_quote(collection)}")
        return dict(zip(rows["source_path"].to_pylist(), rows["doc_id"].to_pylist()))

    def readers(self, collection: str) -> dict[str, tuple[str, ...]]:
        """doc_id -> readers (principal keys) of every document indexed in a collection; read once per
        version of the index and collection (asked for every curated answer given and every source a
        gaps digest names), so not to be changed by the caller. A change of readers is a new version."""
        table = self._open()
        if table is None or READERS_COLUMN not in self._columns(table):
            return {}
        known = self._readers.current()
        # Read after the version it is kept under: at worst newer than that version, never older.
        if (readers := known.get(collection)) is None:
            rows = self._scan(["doc_id", READERS_COLUMN], f"collection = {sql_quote(collection)}")
            readers = known[collection] = {doc: tuple(keys or ()) for doc, keys in zip(
                rows["doc_id"].to_pylist(), rows[READERS_COLUMN].to_pylist())}
        return readers

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

    def warm(self) -> list[str]:
        """Reads what searches keep per version of the index (its vocabulary, vectors and document
        titles) for the current version unless they are read already, so that no question waits for
        them (warming.py). Returns which were read now."""
        if self._open() is None:
            return []
        kept = (("vocabulary", self._vocabulary.warm), ("vectors", self._vectors.warm), ("titles", self._titles.warm))
        with self._reading():
            return [name for name, warm in kept if warm()]

    def vocabulary(self) -> Vocabulary:
        """The words of the indexed chunks and their chunk frequencies, for the index's version."""
        return self._vocabulary.current()

    def document_titles(self) -> dict[str, str]:
        """doc_id -> title of every indexed document, for the index's version."""
        return self._titles.current()

    def _document_titles(self) -> dict[str, str]:
        rows = self._scan(["doc_id", "title"])
        return dict(zip(rows["doc_id"].to_pylist(), rows["title"].to_pylist()))

    # --- searching ----------------------------------------------------------------------------------

    def search(self, query_vector: np.ndarray, query_text: "str | TextQuery", *, mode: str = "hybrid", k: int = 5,
               collections: Iterable[str] | None = None, depth: int = 40,
               weights: tuple[float, float] = (1.0, 1.0),
               per_document: int | None = None, readers: Iterable[str] | None = None,
               named: Iterable[str] = ()) -> list[Hit]:
        """Top k hits; `collections` and `readers` (principal keys: a chunk comes back only when one
        of them may read it) filter inside LanceDB before ranking, so nothing else ever comes back."""
        return self.search_with_candidates(query_vector, query_text, mode=mode, k=k, collections=collections,
                                           depth=depth, weights=weights, per_document=per_document,
                                           readers=readers, named=named)[0]

    def search_with_candidates(self, query_vector: "np.ndarray | Callable[[], np.ndarray]",
                               query_text: "str | TextQuery", *, mode: str = "hybrid",
                               k: int = 5, collections: Iterable[str] | None = None, depth: int = 40,
                               weights: tuple[float, float] = (1.0, 1.0), per_document: int | None = None,
                               readers: Iterable[str] | None = None,
                               named: Iterable[str] = ()) -> tuple[list[Hit], list[Hit] | None]:
        """As `search`, and in hybrid mode the vector search's own best `depth` candidates (None in
        the other modes), which the fusion read: whether both searches agree is a signal in itself.
        `query_vector` may be a call that returns the embedding (e.g. a future's `result`): it is
        asked for only after the full-text search, and once the version's vectors and the rows the
        filter lets through are at hand (vectors.py), so an embedding computed meanwhile overlaps them.
        `named`: doc ids the question names (knowledge/retrieval.py); in hybrid mode the vector search
        over their chunks alone is a third list of the fusion, weighing as much as the other two
        together: a named document's best passage counts as much as one both searches put first."""
        if mode not in SEARCH_MODES:
            raise KnowledgeError(f"Onbekende zoekmodus '{mode}': kies uit {', '.join(SEARCH_MODES)}.")
        table = self._open()
        if table is None or k <= 0:
            return [], ([] if mode == "hybrid" else None)
        limit = max(k, depth) if mode == "hybrid" else k
        with self._reading():
            columns = result_columns(table.schema)
            # A table from before readers were stored holds local folders only: readable by everyone.
            where = both(collection_filter(collections),
                         readers_filter(readers) if READERS_COLUMN in columns else None)
            text_rows = self._text_rows(table, query_text, limit, where, columns) if mode != "vector" else []
            vector_rows = self._vector_rows(query_vector, limit, where, columns) if mode != "fts" else []
            query_vector = query_vector() if callable(query_vector) else query_vector
            named = sorted(set(named)) if mode == "hybrid" else []
            named_rows = self._vector_rows(query_vector, limit, both(where, _documents_filter(named)),
                                           columns) if named else []
        if mode == "vector":
            ranked = _by_similarity(vector_rows)
        elif mode == "fts":
            ranked = [(row, row["_score"]) for row in text_rows]
        else:
            lists = [vector_rows, text_rows, *([named_rows] if named_rows else [])]
            ranked = diversify(fuse(*lists, key="chunk_id", weights=(*weights, sum(weights))[:len(lists)]),
                               key="doc_id", per_key=per_document)
        hits = _hits(ranked[:k], query_vector)
        return hits, (_hits(_by_similarity(vector_rows)[:depth], query_vector) if mode == "hybrid" else None)

    def _vector_rows(self, vector: "np.ndarray | Callable[[], np.ndarray]", limit: int, where: str | None,
                     columns: list[str]) -> list[dict]:
        """The exact cosine search (vectors.py), on the vectors kept for the table's version."""
        return self._vectors.nearest(vector, limit, where, columns)

    def _text_rows(self, table, text: "str | TextQuery", limit: int, where: str | None,
                   columns: list[str]) -> list[dict]:
        text = TextQuery(text) if isinstance(text, str) else text
        if not text.terms.strip():
            return []
        name_column = NAME_COLUMN if NAME_COLUMN in self._full_text.current() else None
        query = (table.search(text.lance_query(TEXT_COLUMN, name_column), query_type="fts")
                 .limit(limit).select([*columns, "_score"]))
        if where:
            query = query.where(where, prefilter=True)
        return result_rows(query.to_arrow())

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
        self._add_missing_columns(table)
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

    def set_readers(self, collection: str, readers: dict[str, tuple[str, ...]]) -> list[str]:
        """Gives documents of a collection new readers, in one commit, without touching their text
        or vectors; returns the ids of the documents whose readers changed. A document not named
        keeps its readers."""
        table = self._open()
        if table is None:
            return []
        self._add_missing_columns(table)
        wanted = {doc: tuple(sorted(set(keys))) for doc, keys in readers.items()}
        changed = sorted(doc for doc, keys in self.readers(collection).items()
                         if doc in wanted and tuple(sorted(keys)) != wanted[doc])
        if not changed:
            return []
        scope = (f"collection = {sql_quote(collection)} AND doc_id IN "
                 f"({', '.join(sql_quote(d) for d in changed)})")
        with self._reading():
            rows = table.to_lance().to_table(filter=scope)
        values = pa.array([list(wanted[doc]) for doc in rows["doc_id"].to_pylist()],
                          type=rows.schema.field(READERS_COLUMN).type)
        rows = rows.set_column(rows.schema.get_field_index(READERS_COLUMN), READERS_COLUMN, values)
        with self._writing(f"de lezers van {len(changed)} documenten in collectie '{collection}'"):
            table.merge_insert("chunk_id").when_matched_update_all().execute(rows)
        self._refresh_fts_index(table)
        return changed

    def _add_missing_columns(self, table) -> None:
        """A table made before readers, links, document days and the passages' names were stored gets
        them (as SQL over its rows; the names from each row's doc id, title and headings)."""
        present = self._columns(table)
        missing = {name: sql for name, sql in ADDED_COLUMNS.items() if name not in present}
        if missing:
            with self._writing("de nieuwe kolommen van de index"):
                table.add_columns(missing)
            log.info("index upgraded: added columns %s", ", ".join(sorted(missing)))
        if NAME_COLUMN not in present:
            with self._writing("de namen van de passages"):
                table.to_lance().add_columns(name_texts, read_columns=list(NAMED_BY))
                table.checkout_latest()
                # indexed now: a re-index that finds nothing changed writes nothing more
                self._create_fts_index(table, [NAME_COLUMN])
            log.info("index upgraded: added column %s", NAME_COLUMN)

    def overwrite(self, rows: pa.Table, model: ModelInfo) -> None:
        """Replaces the whole table in one commit (e.g. after a change of embedding model)."""
        self._create(rows, model)

    def _create(self, rows: pa.Table, model: ModelInfo) -> None:
        with self._writing(f"de index ({rows.num_rows} passages)"):
            table = self._db.create_table(TABLE, data=rows, schema=chunk_schema(model), mode="overwrite")
            self._table = table
            self._create_fts_index(table)

    def _create_fts_index(self, table, columns: Iterable[str] = FULL_TEXT_COLUMNS) -> None:
        """The full-text index of each of `columns` the table has (language/stemming.py mirrors its analyser)."""
        from lancedb.index import FTS

        present = self._columns(table)
        for column in columns:
            if column in present:
                table.create_index(column, config=FTS(
                    language=self.fts_language, stem=True, remove_stop_words=True, ascii_folding=True,
                    lower_case=True, with_position=False))

    def _indexed_columns(self) -> frozenset[str]:
        table = self._open()
        if table is None:
            return frozenset()
        with self._reading():
            return _index_columns(table)

    def _refresh_fts_index(self, table) -> None:
        """Adds new rows to the full-text indexes. Lance also searches rows an index does not cover
        yet (more slowly), so readers never miss rows in between (tested)."""
        before = self._index_folders()
        try:
            indexed = _index_columns(table)
            if indexed:
                table.to_lance().optimize.optimize_indices()
            # the write that made the table ran out of space before an index, or the column is new: made now
            self._create_fts_index(table, [c for c in FULL_TEXT_COLUMNS if c not in indexed])
            table.checkout_latest()
        except Exception as exc:  # a failed index refresh loses speed, not rows: log and go on
            if is_disk_full(exc):
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
            # Lance never removes the latest version, and cleanup_age keeps the one before it for
            # keep_superseded: a failed write (disk full) made no version, so the good one stays.
            cutoff = cleanup_age(table.list_versions(), keep_superseded)
            table.optimize(cleanup_older_than=cutoff)
            table.checkout_latest()
        return {"optimized": True, "version_before": before, "version_after": self.version(),
                "versions_kept": len(table.list_versions())}

    # --- faults -------------------------------------------------------------------------------------

    def damage(self) -> list[IndexProblem]:
        """What is wrong with the table's files, found by looking (for `vraagbaak doctor`); empty when
        the table is whole, or when there is none."""
        with self._lance_errors(None):  # the object store's errors explained; damage is returned
            return damage(self.table_dir, self._dataset_uri(), self.storage_options)

    def _dataset_uri(self) -> str:
        return str(self.table_dir) if self.table_dir is not None else f"{self.uri.rstrip('/')}/{TABLE}.lance"

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
        self._vocabulary.forget()
        self._vectors.forget()
        self._readers.forget()
        self._titles.forget()
        self._full_text.forget()


def _index_columns(table) -> frozenset[str]:
    """The columns the table's indexes cover."""
    return frozenset(column for index in table.list_indices() for column in index.columns)


def _documents_filter(doc_ids: list[str]) -> str:
    return f"doc_id IN ({', '.join(sql_quote(d) for d in doc_ids)})"


def _by_similarity(vector_rows: list[dict]) -> list[tuple[dict, float]]:
    return [(row, 1.0 - row["_distance"]) for row in vector_rows]


def _hits(ranked: list[tuple[dict, float]], query_vector: np.ndarray) -> list[Hit]:
    query = np.asarray(query_vector, dtype=np.float32)
    return [Hit(chunk=chunk_of(row), score=float(score), rank=i + 1, relevance=float(np.dot(query, row["vector"])))
            for i, (row, score) in enumerate(ranked)]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _group(rows: pa.Table) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for coll, doc in zip(rows["collection"].to_pylist(), rows["doc_id"].to_pylist()):
        grouped.setdefault(coll, []).append(doc)
    return grouped
