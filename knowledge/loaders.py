"""Files -> Document: Markdown/MDX, text, PDF, Word, HTML, OpenDocument, PowerPoint, Excel, RTF,
e-mail and CSV, read to text that keeps its headings.

Headings are written Markdown style (``# Titel``, ``## Sectie``) whatever the source format, so the
chunker sees one structure. Files of other types are not read, but counted per extension
(:func:`scan_folder`), so a report can say what was left out; a supported file that cannot be read
raises :class:`DocumentError` with a Dutch reason.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from knowledge.errors import DocumentError
from knowledge.file_limits import (ZIP_SUFFIXES, FileLimits, check_file_size, check_pdf_pages, check_zip,
                                   read_bounded)
from knowledge.formats.pdf import docx_to_markdown, html_to_markdown, pdf_to_markdown
from knowledge.formats.markdown import markdown_to_markdown, split_code
from knowledge.formats.office import opendocument_to_markdown, pptx_to_markdown, xlsx_to_markdown
from knowledge.formats.text import csv_to_markdown, email_to_markdown, rtf_to_text
from knowledge.models import Document

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
SHEET_SUFFIXES = frozenset({".ods", ".xlsx", ".csv"})  # their `##` headings name sheets, not the document
NO_EXTENSION = "(zonder extensie)"

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _read_markdown(data: bytes) -> str:
    return markdown_to_markdown(decode_text(data))


def _read_text(data: bytes) -> str:
    return plain_text_to_markdown(decode_text(data))


_READERS: dict[str, Callable[[bytes], str]] = {
    **{suffix: _read_markdown for suffix in MARKDOWN_SUFFIXES},
    ".txt": _read_text,
    ".pdf": lambda data: pdf_to_markdown(io.BytesIO(data)),
    ".docx": lambda data: docx_to_markdown(io.BytesIO(data)),
    ".html": lambda data: html_to_markdown(decode_text(data)),
    ".htm": lambda data: html_to_markdown(decode_text(data)),
    ".odt": opendocument_to_markdown,
    ".ods": opendocument_to_markdown,
    ".odp": opendocument_to_markdown,
    ".pptx": pptx_to_markdown,
    ".xlsx": xlsx_to_markdown,
    ".rtf": lambda data: plain_text_to_markdown(rtf_to_text(data)),
    ".eml": email_to_markdown,
    ".csv": lambda data: csv_to_markdown(decode_text(data)),
}
SUPPORTED_SUFFIXES = frozenset(_READERS)


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
    A file over one of the `limits` raises DocumentError before its content is parsed."""
    if data is None:
        data = read_bounded(path, limits)
    else:
        check_file_size(len(data), limits)
    text = normalise_text(_to_markdown(path.suffix.lower(), data, limits))
    if not text.strip():
        raise DocumentError("het bestand bevat geen tekst")
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return Document(
        id=document_id(path, root),
        title=first_heading(text, any_level=path.suffix.lower() not in SHEET_SUFFIXES) or path.stem,
        text=text,
        modified=modified,
        content_hash=content_hash(data),
        collection=collection,
        source_path=str(path.resolve()),
    )


def _to_markdown(suffix: str, data: bytes, limits: FileLimits) -> str:
    reader = _READERS.get(suffix)
    if reader is None:
        raise DocumentError(f"bestandstype {suffix or NO_EXTENSION} wordt niet ondersteund")
    if suffix in ZIP_SUFFIXES:
        check_zip(data, limits)
    if suffix == ".pdf":
        return pdf_to_markdown(io.BytesIO(data), check_pages=lambda pages: check_pdf_pages(pages, limits))
    return reader(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual suspect for Dutch office text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise DocumentError("het bestand is geen tekst (binaire inhoud)")
    return data.decode("cp1252", errors="replace")


_UNDERLINE = re.compile(r"^(=+|-+)\s*$")


def plain_text_to_markdown(text: str) -> str:
    """Plain text keeps its lines; setext-style underlined titles become Markdown headings, and a
    short first line standing alone (no closing full stop) becomes the title."""
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and _UNDERLINE.match(line) and len(line.strip()) >= 3:
            level = "#" if line.strip()[0] == "=" else "##"
            out[-1] = f"{level} {out[-1].strip()}"
            continue
        out.append(line)
    first = next((i for i, line in enumerate(out) if line.strip()), None)
    if first is not None and _looks_like_title(out, first):
        out[first] = f"# {out[first].strip()}"
    for i, line in enumerate(out):
        before_blank = i == 0 or not out[i - 1].strip()
        if before_blank and _looks_like_title(out, i) and (
                _NUMBERED_TITLE.match(line.strip()) or _is_upper(line)):
            out[i] = f"### {line.strip()}"
    return "\n".join(out)


_NUMBERED_TITLE = re.compile(r"^\d+[a-z]?\.?\s+\w")


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _looks_like_title(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    alone = i + 1 >= len(lines) or not lines[i + 1].strip()
    return (alone and not line.startswith("#") and len(line) <= 100
            and not line.endswith((".", ",", ":", ";")))


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
