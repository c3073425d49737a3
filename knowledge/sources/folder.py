"""A folder on this machine as a source: the same files `scan_folder` finds (hidden files, lock
files and symbolic links left out, other types counted per extension), with the ids the index uses
today (the path relative to the folder) and the collection's readers.

A file's version is its modification time and size, so a sync with nothing changed reads no file.
A rename is a deletion and an addition: the id is the path.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.errors import DocumentError, SourceNotFoundError
from knowledge.file_limits import FileLimits, read_bounded
from knowledge.loaders import OUTSIDE_LINK_REASON, document_id, scan_folder
from knowledge.models import SkippedFile
from knowledge.sources.base import (EVERYONE, Principal, SourceDocument, SyncResult, dump_cursor, load_cursor,
                                    size_problem)


class FolderSource:
    """The files under `root`; every document has `readers` (the collection's: everyone unless the
    collection is restricted, then `collection(name)`)."""

    kind = "folder"

    def __init__(self, name: str, root: Path, *, readers: frozenset[Principal] = frozenset({EVERYONE}),
                 limits: FileLimits = FileLimits()) -> None:
        self.name = name
        self.root = Path(root).expanduser()
        self.readers = frozenset(readers)
        self.limits = limits

    def sync(self, cursor: str | None) -> SyncResult:
        self.check()
        known = (load_cursor(self.kind, cursor) or {"files": {}})["files"]
        root = self.root.resolve()
        scan = scan_folder(root)
        result = SyncResult(cursor="", not_read=scan.not_read,
                            skipped=[SkippedFile(document_id(link, root), OUTSIDE_LINK_REASON)
                                     for link in scan.outside_links])
        files: dict[str, str] = {}
        for path in scan.documents:
            doc_id = document_id(path, root)
            try:
                info = path.stat()
            except OSError as exc:  # gone or unreadable since the scan
                result.skipped.append(SkippedFile(doc_id, f"kan het bestand niet lezen ({exc.strerror or exc})"))
                continue
            files[doc_id] = f"{info.st_mtime_ns}-{info.st_size}"
            previous = known.get(doc_id)
            if previous == files[doc_id]:
                result.unchanged += 1
                continue
            document = SourceDocument(id=doc_id, path=doc_id, url=path.as_uri(), version=files[doc_id],
                                      modified=info.st_mtime, readers=self.readers, size=info.st_size,
                                      problem=size_problem(info.st_size, self.limits))
            (result.added if previous is None else result.changed).append(document)
        result.deleted = sorted(set(known) - set(files))
        result.cursor = dump_cursor(self.kind, {"files": files})
        return result

    def fetch(self, document: SourceDocument) -> bytes:
        if document.problem:
            raise DocumentError(document.problem)
        return read_bounded(self.root.resolve() / document.id, self.limits)

    def refresh_readers(self, cursor: str) -> dict[str, frozenset[Principal]]:
        return dict.fromkeys((load_cursor(self.kind, cursor) or {"files": {}})["files"], self.readers)

    def members(self, group: Principal) -> frozenset[str]:
        return frozenset()

    def check(self) -> None:
        if not self.root.is_dir():
            raise SourceNotFoundError(f"De bronmap '{self.root}' bestaat niet of is geen map.")

    def close(self) -> None:
        pass
