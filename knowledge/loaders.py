"""Files -> Document: Markdown/MDX, plain text, PDF, DOCX and HTML, read to text that keeps its headings.

Headings are written Markdown style (``# Titel``, ``## Sectie``) whatever the source format, so the
chunker sees one structure. Unsupported files are not our business and are passed over silently;
a supported file that cannot be read raises :class:`DocumentError` with a Dutch reason.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path

from knowledge.errors import DocumentError
from knowledge.formats import docx_to_markdown, html_to_markdown, pdf_to_markdown
from knowledge.formats_markdown import markdown_to_markdown, split_code
from knowledge.models import Document

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
SUPPORTED_SUFFIXES = frozenset({*MARKDOWN_SUFFIXES, ".txt", ".pdf", ".docx", ".html", ".htm"})

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def is_indexable(path: Path, root: Path) -> bool:
    """True for a supported file that is not hidden, not in a hidden folder and not an Office lock file."""
    relative = path.relative_to(root)
    if any(part.startswith(".") for part in relative.parts):
        return False
    if path.name.startswith("~$"):
        return False
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def find_documents(root: Path) -> list[Path]:
    """Every indexable file under root, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and is_indexable(p, root))


def document_id(path: Path, root: Path) -> str:
    """The stable id of a file: its POSIX path relative to the collection root."""
    return path.relative_to(root).as_posix()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, root: Path, *, collection: str, data: bytes | None = None) -> Document:
    """Reads one file into a Document; `data` may hand in bytes already read (for the hash)."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"kan het bestand niet lezen ({exc.strerror or exc})") from exc
    text = normalise_text(_to_markdown(path.suffix.lower(), data))
    if not text.strip():
        raise DocumentError("het bestand bevat geen tekst")
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return Document(
        id=document_id(path, root),
        title=first_heading(text) or path.stem,
        text=text,
        modified=modified,
        content_hash=content_hash(data),
        collection=collection,
        source_path=str(path.resolve()),
    )


def _to_markdown(suffix: str, data: bytes) -> str:
    if suffix in MARKDOWN_SUFFIXES:
        return markdown_to_markdown(decode_text(data))
    if suffix == ".txt":
        return plain_text_to_markdown(decode_text(data))
    if suffix == ".pdf":
        return pdf_to_markdown(io.BytesIO(data))
    if suffix == ".docx":
        return docx_to_markdown(io.BytesIO(data))
    if suffix in {".html", ".htm"}:
        return html_to_markdown(decode_text(data))
    raise DocumentError(f"bestandstype {suffix} wordt niet ondersteund")


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


def first_heading(text: str) -> str | None:
    """The first level-1 heading, else the first heading of any level; a `# comment` in fenced
    code is not a heading."""
    first: str | None = None
    prose = (block for is_code, block in split_code(text) if not is_code)
    for line in (line for block in prose for line in block.splitlines()):
        match = _HEADING.match(line)
        if match:
            if len(match.group(1)) == 1:
                return match.group(2).strip()
            first = first or match.group(2).strip()
    return first


def normalise_text(text: str) -> str:
    """Unix newlines, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
