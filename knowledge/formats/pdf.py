"""PDF -> Markdown-style text with `#` headings (from the font sizes), through pypdf.

A corrupt file raises :class:`DocumentError` with a Dutch reason.
"""

from __future__ import annotations

import logging
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
