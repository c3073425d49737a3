"""Office and web formats (PDF, DOCX, HTML) -> Markdown-style text with `#` headings.

Each reader raises :class:`DocumentError` with a Dutch reason when the file is corrupt.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import BinaryIO, Callable

from knowledge.errors import DocumentError

log = logging.getLogger(__name__)


# --- PDF -------------------------------------------------------------------------------------------

def pdf_to_markdown(stream: BinaryIO, *, check_pages: Callable[[int], None] | None = None) -> str:
    """Text of every page; lines set in a clearly larger font than the body become headings.
    `check_pages` sees the page count before any page is read (and may raise DocumentError)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            raise DocumentError("de PDF is beveiligd met een wachtwoord")
        if check_pages is not None:
            check_pages(len(reader.pages))
        lines: list[tuple[str, float]] = []
        for page in reader.pages:
            lines.extend(_pdf_page_lines(page))
            lines.append(("", 0.0))
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    return _lines_with_headings(lines)


def _pdf_page_lines(page) -> list[tuple[str, float]]:
    """(line, font size) pairs; the size is the largest effective size seen on the line."""
    fragments: list[tuple[str, float]] = []

    def visit(text: str, cm, tm, font_dict, font_size) -> None:
        scale = abs(float(tm[3]) * float(cm[3])) or 1.0
        fragments.append((text, float(font_size or 0.0) * scale))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[str, float]] = []
    current, size = "", 0.0
    for text, frag_size in fragments:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                lines.append((current, size))
                current, size = "", 0.0
            if part.strip():
                size = max(size, frag_size)
            current += part
    lines.append((current, size))
    return [(line.strip(), s) for line, s in lines]


def _lines_with_headings(lines: list[tuple[str, float]]) -> str:
    weights: Counter[float] = Counter()
    for text, size in lines:
        if text:
            weights[round(size, 1)] += len(text)
    if not weights:
        return ""
    body = weights.most_common(1)[0][0]
    # Heading sizes: clearly above the body size, on short lines; biggest size = level 1.
    sizes = sorted({round(s, 1) for t, s in lines if t and s > body * 1.15 and len(t) <= 120},
                   reverse=True)[:3]
    level = {s: i + 1 for i, s in enumerate(sizes)}
    out: list[str] = []
    for text, size in lines:
        heading_level = level.get(round(size, 1))
        if text and heading_level:
            out.extend(["", "#" * heading_level + " " + text, ""])
        else:
            out.append(text)
    return "\n".join(out)


# --- DOCX ------------------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)


def docx_to_markdown(stream: BinaryIO) -> str:
    """Paragraphs in order; Heading N / Kop N styles become headings, lists and tables stay text."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(stream)
        blocks = [_docx_table(item) if isinstance(item, Table) else _docx_paragraph(item)
                  for item in document.iter_inner_content()]
    except DocumentError:
        raise
    except Exception as exc:  # python-docx raises zipfile/lxml/KeyError errors for broken files
        log.debug("docx unreadable", exc_info=True)
        raise DocumentError(f"het Word-bestand is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    return "\n\n".join(b for b in blocks if b.strip())


def _docx_paragraph(paragraph) -> str:
    text = paragraph.text.strip()
    if not text:
        return ""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.lower() == "title":
        return f"# {text}"
    match = _HEADING_STYLE.match(style.strip())
    if match:
        return "#" * min(int(match.group(1)), 6) + " " + text
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if "list" in style.lower() or numbered:
        return f"- {text}"
    return text


def _docx_table(table) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or cells[-1] != text:  # merged cells repeat themselves
                cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


# --- HTML ------------------------------------------------------------------------------------------

_DROPPED_TAGS = ("script", "style", "nav", "footer", "noscript", "template", "svg", "iframe", "aside",
                 "form", "button")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "header", "aside", "blockquote", "pre",
               "table", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address")


def html_to_markdown(html: str) -> str:
    """Visible text of a page; h1..h6 become headings, list items `- `, table rows `a | b`."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all("header"):  # the site's banner, not an article's own header
        if tag.find_parent(["main", "article", "section"]) is None:
            tag.decompose()
    root = soup.body or soup
    for node in root.find_all(string=True):
        if node.find_parent("pre") is None and isinstance(node, NavigableString):
            node.replace_with(re.sub(r"\s+", " ", str(node)))
    for level in range(1, 7):
        for tag in root.find_all(f"h{level}"):
            tag.insert(0, "\n\n" + "#" * level + " ")
            tag.append("\n\n")
    for tag in root.find_all("li"):
        tag.insert(0, "\n- ")
        tag.append("\n")
    for row in root.find_all("tr"):
        cells = row.find_all(["td", "th"], recursive=False)
        for cell in cells[:-1]:
            cell.append(" | ")
        row.insert(0, "\n")
        row.append("\n")
    for tag in root.find_all("br"):
        tag.replace_with("\n")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert(0, "\n\n")
        tag.append("\n\n")
    text = root.get_text()
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    if not any(line.startswith("#") for line in lines) and soup.title and soup.title.string:
        lines.insert(0, f"# {soup.title.string.strip()}")
    return "\n".join(lines)
