"""A source (SharePoint, Nextcloud, WebDAV, a folder) into one collection of the index: the content
sync (what changed since the stored cursor is fetched, chunked and embedded; deletions removed) and
the permission sync (readers read again and written next to the chunks, nothing fetched or embedded).

In the index a document is cited by its path at the source (`doc_id`, what people recognise) and
found again by its source id (`source_path`: stable across renames where the source allows it). The
caller stores the returned cursor only after this returns: a run that fails before its commit is
repeated from the old cursor, and nothing is lost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from knowledge.errors import DocumentError
from knowledge.indexing import Indexer, IndexProgress
from knowledge.loaders import document_from_bytes
from knowledge.models import Chunk, IndexReport, SkippedFile
from knowledge.index.schema import chunk_rows
from knowledge.sources.base import Principal, Source, SourceDocument

log = logging.getLogger(__name__)


def reader_keys(readers: frozenset[Principal]) -> tuple[str, ...]:
    """Principal keys as stored next to each chunk; a document nobody is listed for has none (fail closed)."""
    return tuple(sorted(p.key for p in readers))


@dataclass
class PermissionReport:
    """What one permission sync did."""

    documents: int = 0  # documents whose readers were read
    changed: list[str] = field(default_factory=list)  # documents whose readers changed (doc ids)
    duration_s: float = 0.0


class SourceIndexer:
    """Keeps one collection in step with one source, under the indexer's re-index lock."""

    def __init__(self, indexer: Indexer) -> None:
        self.indexer = indexer
        self.store = indexer.store

    def sync(self, source: Source, *, collection: str, cursor: str | None, full: bool = False,
             progress: IndexProgress | None = None, wait: bool = False) -> tuple[IndexReport, str]:
        """Applies what changed at the source since `cursor` (everything with None or `full`);
        returns the report and the cursor to store."""
        started = time.monotonic()
        report = IndexReport(started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                             collections=[collection])
        with self.indexer.lock(wait=wait):
            recorded = self.store.model()
            rebuild_all = recorded is not None and recorded != self.indexer.model
            whole = full or rebuild_all or cursor is None
            result = source.sync(None if whole else cursor)
            known = self.store.source_ids(collection)  # source id -> doc id, as indexed now
            chunks: list[Chunk] = []
            touched: set[str] = set()
            documents = result.to_fetch + [r.document for r in result.renamed]
            for document in documents:
                if document.id in known:
                    touched.add(known[document.id])  # its old path goes, also when it moved
                found = self._chunks(source, document, collection, report)
                if found:
                    chunks.extend(found)
                    touched.add(document.path)
                    (report.changed if document.id in known else report.added).append(document.path)
            for source_id in result.deleted:
                if source_id in known:
                    touched.add(known[source_id])
                    report.removed.append(known[source_id])
            vectors = self.indexer.embed(chunks, progress)
            rows = chunk_rows(chunks, vectors, self.indexer.model)
            if rebuild_all:
                self.store.overwrite(rows, self.indexer.model)
            else:
                self.store.replace_documents(collection, rows, touched, model=self.indexer.model,
                                             whole_collection=whole)
        if whole:
            report.removed = sorted(set(known.values()) - {c.doc_id for c in chunks})
        report.unchanged = result.unchanged
        report.not_read = result.not_read
        report.skipped[:0] = result.skipped
        report.chunks_embedded = len(chunks)
        report.full_rebuild = whole
        report.duration_s = round(time.monotonic() - started, 3)
        log.info("synced source %s into %s: %d added, %d changed, %d removed, %d unchanged, %d skipped, "
                 "%d chunks embedded in %.1f s", source.name, collection, len(report.added),
                 len(report.changed), len(report.removed), report.unchanged, len(report.skipped),
                 len(chunks), report.duration_s)
        return report, result.cursor

    def _chunks(self, source: Source, document: SourceDocument, collection: str,
                report: IndexReport) -> list[Chunk]:
        try:
            if document.problem:
                raise DocumentError(document.problem)
            data = source.fetch(document)
            parsed = document_from_bytes(document.name, data, doc_id=document.path, collection=collection,
                                         modified=document.modified, source_path=document.id,
                                         readers=reader_keys(document.readers), url=document.url,
                                         limits=self.indexer.limits)
            found = self.indexer.chunker.split(parsed)
        except DocumentError as exc:
            log.info("skipped %s from %s: %s", document.path, source.name, exc)
            report.skipped.append(SkippedFile(document.path, str(exc)))
            return []
        if not found:
            report.skipped.append(SkippedFile(document.path, "het bestand bevat geen tekst"))
        return found

    def sync_readers(self, source: Source, *, collection: str, cursor: str, wait: bool = True) -> PermissionReport:
        """Reads every document's readers again (no content) and writes the changed ones in one
        commit; a document the source no longer lists keeps nobody but is removed by the next
        content sync. Raises SourceError when the source cannot be asked (the readers stay)."""
        started = time.monotonic()
        readers = source.refresh_readers(cursor)
        with self.indexer.lock(wait=wait):
            known = self.store.source_ids(collection)
            wanted = {known[source_id]: reader_keys(principals) for source_id, principals in readers.items()
                      if source_id in known}
            gone = {doc_id: () for source_id, doc_id in known.items() if source_id not in readers}
            changed = self.store.set_readers(collection, {**wanted, **gone})
        report = PermissionReport(documents=len(wanted), changed=changed,
                                  duration_s=round(time.monotonic() - started, 3))
        log.info("permission sync of %s: %d documents, %d with other readers, in %.2f s", source.name,
                 report.documents, len(changed), report.duration_s)
        return report
