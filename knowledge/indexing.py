"""Sync a source folder into the store: incremental, atomic, reported.

Order of work: read and hash every file, parse and chunk only new or changed ones, embed all new
chunks, and only then change the table, in one commit. A run that fails or is interrupted before
that commit leaves the previous index as it was. An inter-process file lock keeps two runs apart.

Files with the same bytes and the same suffix are one document: it is read and indexed once, under the
newest of its paths by their names and folders (knowledge/versions.py, else the first), and its chunks
name the other paths (`copies`), so a hit on it can list every place it is. (The suffix decides how
bytes are read, so the same bytes as .xlsx and as .msg are two files.)
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from knowledge.chunking import Chunker
from knowledge.embeddings import Embedder
from knowledge.errors import DocumentError, IndexBusyError, SourceNotFoundError
from knowledge.file_limits import FileLimits, read_bounded
from knowledge.formats.library_logs import LibraryLogs
from knowledge.loaders import OUTSIDE_LINK_REASON, content_hash, document_id, load_document, scan_folder
from knowledge.models import Chunk, IndexReport, SkippedFile
from knowledge.versions import newest_path_first
from knowledge.index.schema import ModelInfo, chunk_rows
from knowledge.index.store import ChunkStore

__all__ = ["Indexer", "IndexBusyError", "IndexProgress"]

log = logging.getLogger(__name__)

IndexProgress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
LOCK_FILE = "reindex.lock"


@dataclass
class _Plan:
    """What a run found on disk before it embeds anything."""

    chunks: list[Chunk] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    partly_read: list[SkippedFile] = field(default_factory=list)
    not_read: dict[str, int] = field(default_factory=dict)
    rewritten: list[str] = field(default_factory=list)  # doc ids whose rows the commit replaces or drops


class Indexer:
    """Keeps one collection of the store in step with a folder."""

    def __init__(self, store: ChunkStore, embedder: Embedder, chunker: Chunker, *,
                 lock_dir: Path, limits: FileLimits = FileLimits(),
                 library_logs: LibraryLogs | None = None) -> None:
        self.store = store
        self.limits = limits
        self.library_logs = library_logs  # None: the libraries log every warning as they do
        self.embedder = embedder
        self.chunker = chunker
        self.lock_dir = Path(lock_dir)
        self._held = threading.local()  # lock depth of the current thread: lock() is re-entrant

    @property
    def model(self) -> ModelInfo:
        return ModelInfo(self.embedder.name, self.embedder.dimension)

    def reindex(self, source: Path, *, collection: str, full: bool = False,
                progress: IndexProgress | None = None, wait: bool = False) -> IndexReport:
        """Brings `collection` in line with the files under `source`.

        Raises SourceNotFoundError for a missing folder and IndexBusyError when another run holds
        the lock (unless `wait`).
        """
        source = Path(source).expanduser()
        if not source.is_dir():
            raise SourceNotFoundError(f"De bronmap '{source}' bestaat niet of is geen map.")
        started = time.monotonic()
        report = IndexReport(started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                             collections=[collection])
        with self.lock(wait=wait):
            recorded = self.store.model()
            rebuild = recorded is not None and recorded != self.model
            if rebuild:
                log.warning("embedding model changed from %s to %s: rebuilding the whole index",
                            recorded.name, self.model.name)
            elif self.store.outdated():
                log.warning("the index was written in an older layout: rebuilding the whole index")
                rebuild = True
            known = {} if rebuild else self.store.copies(collection)
            plan = self._plan(source.resolve(), collection, known, full=full or rebuild)
            vectors = self.embed(plan.chunks, progress)
            rows = chunk_rows(plan.chunks, vectors, self.model)
            if rebuild:
                self.store.overwrite(rows, self.model)
            else:
                self.store.replace_documents(collection, rows, plan.rewritten + plan.removed,
                                             model=self.model, whole_collection=full)
        report.added, report.changed, report.removed = plan.added, plan.changed, plan.removed
        report.unchanged, report.skipped, report.not_read = plan.unchanged, plan.skipped, plan.not_read
        report.partly_read = plan.partly_read
        report.chunks_embedded = len(plan.chunks)
        report.full_rebuild = full or rebuild
        report.duration_s = round(time.monotonic() - started, 3)
        log.info("re-indexed %s: %d added, %d changed, %d removed, %d unchanged, %d skipped, "
                 "%d not read (unsupported type), %d chunks embedded in %.1f s", collection,
                 len(plan.added), len(plan.changed), len(plan.removed), plan.unchanged,
                 len(plan.skipped), sum(plan.not_read.values()), len(plan.chunks), report.duration_s)
        return report

    def optimize(self, *, wait: bool = True) -> dict:
        """Store maintenance (compaction, index refresh, old versions) under the re-index lock."""
        with self.lock(wait=wait):
            return self.store.optimize()

    @contextmanager
    def lock(self, *, wait: bool = False) -> Iterator[None]:
        """The inter-process re-index lock; flock on a fresh descriptor also excludes other threads.
        Re-entrant within one thread, so a caller can hold it over several reindex() calls."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as exc:
                raise IndexBusyError("Er loopt al een herindexering; probeer het straks opnieuw.") from exc
            try:  # who holds it, for a person looking; on a full disk the lock works without it
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
            except OSError as exc:
                log.warning("could not write the pid into %s: %s", self.lock_dir / LOCK_FILE, exc)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
        finally:
            os.close(fd)  # closing releases the lock

    def _plan(self, root: Path, collection: str, known: dict[str, tuple[str, tuple[str, ...]]], *,
              full: bool) -> _Plan:
        """What to (re)index: files grouped by their bytes, each group read once, under its newest path."""
        scan = scan_folder(root)
        plan = _Plan(not_read=scan.not_read)
        plan.skipped.extend(SkippedFile(document_id(link, root), OUTSIDE_LINK_REASON) for link in scan.outside_links)
        groups: dict[tuple[str, str], list[tuple[Path, bytes]]] = {}
        for path in scan.documents:
            try:
                data = read_bounded(path, self.limits)  # a file over the size limit is not read
            except DocumentError as exc:
                plan.skipped.append(SkippedFile(document_id(path, root), str(exc)))
                continue
            groups.setdefault((content_hash(data), path.suffix.lower()), []).append((path, data))
        hashes = {doc_id: digest for doc_id, (digest, copies) in known.items()
                  for doc_id in (doc_id, *copies)}
        for (digest, _suffix), found in groups.items():
            named = {document_id(path, root): (path, data) for path, data in found}
            ids = newest_path_first(list(named))
            files = [named[doc_id] for doc_id in ids]
            first, copies = ids[0], tuple(ids[1:])
            if not full and known.get(first) == (digest, copies):
                plan.unchanged += len(ids)
                continue
            if not self._plan_group(plan, root, collection, files[0], copies):
                continue  # unreadable now: what the index had of it stays until it is readable again
            for doc_id in ids:
                if doc_id not in hashes:
                    plan.added.append(doc_id)
                elif hashes[doc_id] != digest or full:
                    plan.changed.append(doc_id)
                else:
                    plan.unchanged += 1  # the same bytes, only its copies or the path it is indexed under changed
            plan.rewritten.extend(ids)
        seen = {document_id(path, root) for files in groups.values() for path, _ in files}
        seen.update(s.path for s in plan.skipped)
        plan.removed = sorted(set(hashes) - seen)
        for names in (plan.added, plan.changed):
            names.sort()
        return plan

    def _plan_group(self, plan: _Plan, root: Path, collection: str, file: tuple[Path, bytes],
                    copies: tuple[str, ...]) -> bool:
        """Reads and chunks one document (one group of identical files); a file that cannot be read
        is skipped with its reason, under every path it has. Returns whether it was read."""
        path, data = file
        doc_id = document_id(path, root)
        quiet = self.library_logs.reading(doc_id) if self.library_logs else nullcontext()
        try:
            with quiet:
                document = replace(load_document(path, root, collection=collection, data=data, limits=self.limits),
                                   copies=copies)
            chunks = self.chunker.split(document)
            reason = "" if chunks else "het bestand bevat geen tekst"
        except DocumentError as exc:
            log.info("skipped %s: %s", doc_id, exc)
            chunks, reason = [], str(exc)
        if reason:
            plan.skipped.extend(SkippedFile(name, reason) for name in (doc_id, *copies))
            return False
        plan.partly_read.extend(SkippedFile(doc_id, problem) for problem in document.problems)
        plan.chunks.extend(chunks)
        return True

    def embed(self, chunks: list[Chunk], progress: IndexProgress | None = None):
        """The chunks' vectors, with progress reports between batches."""
        total = len(chunks)
        done = 0
        if progress is not None:
            progress(0, total)

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        return self.embedder.embed_documents([c.embedding_text for c in chunks], progress=step)
