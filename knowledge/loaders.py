"""Files -> Document: a source folder scanned for the files of the supported formats, each read to
text that keeps its headings (the readers are in knowledge/formats/).

Headings are written Markdown style (``# Titel``, ``## Sectie``) whatever the source format, so the
chunker sees one structure. Files of other types are not read, but counted per extension
(:func:`scan_folder`), so a report can say what was left out; a supported file that cannot be read
raises :class:`DocumentError` with a Dutch reason.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits, check_file_size, read_bounded
from knowledge.formats import NO_EXTENSION, SUPPORTED_SUFFIXES, Reading, read_document, written_on
from knowledge.formats.markdown import split_code
from knowledge.formats.pages import read_mark
from knowledge.models import EVERYONE_READERS, Document
from knowledge.versions import date_in_name

log = logging.getLogger(__name__)

SHEET_SUFFIXES = frozenset({".ods", ".xlsx", ".csv"})  # their `##` headings name sheets, not the document

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass
class FolderScan:
    """What a folder holds: the files to read, per extension how many were left unread, and the
    symbolic links that point outside the folder (not followed)."""

    documents: list[Path] = field(default_factory=list)
    not_read: dict[str, int] = field(default_factory=dict)  # ".psd" or NO_EXTENSION -> count
    outside_links: list[Path] = field(default_factory=list)


OUTSIDE_LINK_REASON = "koppeling (symlink) naar buiten de bronmap: niet gevolgd"


def is_ignored(path: Path, root: Path) -> bool:
    """Hidden files, files in hidden folders and Office lock files (~$…) are not the collection's."""
    relative = path.relative_to(root)
    return any(part.startswith(".") for part in relative.parts) or path.name.startswith("~$")


def scan_folder(root: Path) -> FolderScan:
    """The indexable files under root in a stable order, and the others counted per extension
    (most frequent first).

    Symbolic links are never followed, neither to files nor to folders: a link that points outside
    root is listed in `outside_links`; one that points inside is left out, as its target is found
    under its own path.
    """
    root = Path(root)
    documents: list[Path] = []
    unread: Counter[str] = Counter()
    outside: list[Path] = []
    real_root = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in sorted(dirs + files):
            path = base / name
            if is_ignored(path, root):
                continue
            if path.is_symlink():
                if not _points_inside(path, real_root):
                    outside.append(path)
                continue
            if name in dirs or not path.is_file():
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                documents.append(path)
            else:
                unread[path.suffix.lower() or NO_EXTENSION] += 1
        dirs[:] = [d for d in dirs if not (base / d).is_symlink() and not is_ignored(base / d, root)]
    return FolderScan(sorted(documents), most_frequent_first(unread), sorted(outside))


def _points_inside(link: Path, real_root: Path) -> bool:
    try:
        return link.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):  # a loop of links
        return False


def most_frequent_first(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts per extension, largest first; ties by name, files without extension last."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0] == NO_EXTENSION, item[0])))


def find_documents(root: Path) -> list[Path]:
    """Every indexable file under root, in a stable order."""
    return scan_folder(root).documents


def document_id(path: Path, root: Path) -> str:
    """The stable id of a file: its POSIX path relative to the collection root."""
    return path.relative_to(root).as_posix()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, root: Path, *, collection: str, data: bytes | None = None,
                  limits: FileLimits = FileLimits()) -> Document:
    """Reads one file into a Document; `data` may hand in bytes already read (for the hash).
    A file over one of the `limits` raises DocumentError before its content is parsed; one read
    only in part says what it missed in `problems`."""
    if data is None:
        data = read_bounded(path, limits)
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return document_from_bytes(path.name, data, doc_id=document_id(path, root), collection=collection,
                               modified=modified, source_path=str(path.resolve()), limits=limits)


def document_from_bytes(name: str, data: bytes, *, doc_id: str, collection: str, modified: float,
                  source_path: str = "", readers: tuple[str, ...] = EVERYONE_READERS, url: str = "",
                  limits: FileLimits = FileLimits()) -> Document:
    """A file's bytes, wherever they came from (a folder, SharePoint, Nextcloud), as a Document;
    its type is the suffix of `name`."""
    check_file_size(len(data), limits)
    suffix = Path(name).suffix.lower()
    reading = read_document(suffix, data, limits)
    text = normalise_text(reading.text)
    if not has_text(text):
        raise DocumentError("; ".join(reading.problems) or "het bestand bevat geen tekst")
    dated, dated_by = document_day(reading, doc_id, modified)
    return Document(
        id=doc_id,
        title=first_heading(text, any_level=suffix not in SHEET_SUFFIXES) or Path(name).stem,
        text=text,
        modified=modified,
        content_hash=content_hash(data),
        collection=collection,
        source_path=source_path,
        problems=reading.problems,
        readers=readers,
        url=url,
        dated=dated,
        dated_by=dated_by,
    )


def document_day(reading: Reading, doc_id: str, modified: float) -> tuple[str, str]:
    """(ISO day, where it was read: models.DATED_BY): the document's own metadata, else a day in its
    file or folder name, else the file's modification time; ("", "") when none is known."""
    for day, source in ((reading.written, "document"), (written_on(date_in_name(doc_id)), "name")):
        if day is not None:
            return day.isoformat(), source
    if modified > 0:
        return datetime.fromtimestamp(modified, timezone.utc).date().isoformat(), "modified"
    return "", ""


def has_text(text: str) -> bool:
    """Whether there is more than page marks."""
    return any(line.strip() and read_mark(line) is None for line in text.splitlines())


def first_heading(text: str, *, any_level: bool = True) -> str | None:
    """The first level-1 heading, else (with `any_level`) the first heading of any level; a
    `# comment` in fenced code is not a heading."""
    first: str | None = None
    prose = (block for is_code, block in split_code(text) if not is_code)
    for line in (line for block in prose for line in block.splitlines()):
        match = _HEADING.match(line)
        if match:
            if len(match.group(1)) == 1:
                return match.group(2).strip()
            first = first or match.group(2).strip()
    return first if any_level else None


def normalise_text(text: str) -> str:
    """Unix newlines, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
