"""PDF -> Markdown-style text as people read the pages, through pdfplumber (on pdfminer.six).

Per page (pdf_layout.py): lines in reading order, two columns one after the other, ruled tables as
tables. Over the whole file: running headers and footers (a line at the top or bottom of most
pages, its numbers aside) and page numbers are dropped, lines of a paragraph are joined (a word
hyphenated at a line end made whole), lines in a clearly larger font become headings, and every
page begins with its page mark (pages.py) so each passage knows its page. A slide deck printed to
PDF (most pages landscape with little text) gets a passage per slide, titled by its largest line.
A page without text but with an image is a scan: it is read by OCR (ocr.py) while the file's time
budget lasts, and what is left unread is named in `problems`.

Why pdfplumber: MIT, well kept, and it gives what reading order and tables need (words with
positions and font sizes, ruling lines); PyMuPDF is AGPL. pypdf stays for what it does better:
the quick page count and password check before any page is parsed, and reading pages (or whole
files) that pdfminer rejects as damaged.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO, Callable

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits
from knowledge.formats.ocr import OcrBudget, ocr_page
from knowledge.formats.pages import page_mark, slide_mark
from knowledge.formats.pdf_layout import Line, join_lines, page_lines
from knowledge.formats.reading import Reading, written_on

log = logging.getLogger(__name__)

EDGE = 0.1  # running headers and footers sit in the top and bottom tenth of a page
RUNNING_LINES = 2  # ... as its first or last lines
SLIDE_WORDS = 150  # a landscape page with fewer words is a slide
SCAN_CHARACTERS = 20  # a page with an image and less text than this is a scan (a stamp aside)
_PAGE_NUMBER = re.compile(r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–]?\s*\d{1,4}\s*"
                          r"(?:(?:/|van|of)\s*\d{1,4})?\s*[-–]?$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?:[•·▪◦‣●○■□►✓–*-]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s")
_SENTENCE_END = (".", "!", "?", ":", ";")


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    scanned: bool = False  # no text layer, an image instead
    placed: bool = True  # the lines know where they sit (not so when read by OCR or pypdf)


def pdf_to_markdown(stream: BinaryIO, *, limits: FileLimits = FileLimits(),
                    check_pages: Callable[[int], None] | None = None) -> Reading:
    """The text of every page, and the date its info (else XMP) metadata gives; `check_pages` sees
    the page count before any page is read (and may raise DocumentError)."""
    data = stream.read()
    count, written = _checked_page_count(data)
    if check_pages is not None:
        check_pages(count)
    pages = _read_pages(data)
    if pages is None or len(pages) < count:  # pdfminer could not open it, or lost pages that pypdf finds
        return Reading(_pypdf_text(data), written=written)
    _read_empty_pages_with_pypdf(data, pages)
    problems = _read_scans(data, pages, limits)
    _drop_running_lines(pages)
    if _is_slide_deck(pages):
        return Reading(_slides(pages), problems, written)
    return Reading(_document(pages), problems, written)


def _checked_page_count(data: bytes) -> tuple[int, date | None]:
    """The page count, and the day the document was last changed (else made) by its metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("de PDF is beveiligd met een wachtwoord")
        return len(reader.pages), _written(reader)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from exc


def _written(reader) -> date | None:
    """The info dictionary's ModDate (else CreationDate), else the XMP's modify (else create) date; a
    date pypdf cannot parse counts as none: the text is read all the same."""
    from pypdf.errors import PyPdfError

    moments: list[object] = []
    for source in ("info", "xmp"):
        try:
            if source == "info" and (info := reader.metadata) is not None:
                moments += [info.modification_date, info.creation_date]
            elif source == "xmp" and (xmp := reader.xmp_metadata) is not None:
                moments += [xmp.xmp_modify_date, xmp.xmp_create_date]
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            log.debug("PDF %s metadata unreadable: %s", source, exc)
        if (day := written_on(*moments)) is not None:
            return day
    return None


def _pdfminer_errors() -> tuple[type[BaseException], ...]:
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    return (PSException, PdfminerException, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, OSError, ZeroDivisionError)


def _read_pages(data: bytes) -> list[_Page] | None:
    """Every page's lines; a page pdfminer fails on is read by pypdf. None: the file would not open."""
    import pdfplumber

    errors = _pdfminer_errors()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except errors:
        log.debug("pdfplumber could not open the PDF; reading it with pypdf", exc_info=True)
        return None
    pages: list[_Page] = []
    with pdf:
        try:
            listed = pdf.pages
        except errors:
            log.debug("pdfminer could not list the pages; reading the PDF with pypdf", exc_info=True)
            return None
        for number, page in enumerate(listed, start=1):
            try:
                lines = page_lines(page)
                scanned = sum(len(line.text) for line in lines) < SCAN_CHARACTERS and bool(page.images)
                pages.append(_Page(number, float(page.width), float(page.height), lines, scanned))
            except errors:
                log.debug("pdfminer failed on page %d; reading it with pypdf", number, exc_info=True)
                pages.append(_Page(number, float(page.width), float(page.height), _pypdf_page_lines(data, number),
                                   placed=False))
            finally:
                page.close()  # pdfplumber caches every object of a page; a long file would fill memory
    return pages


def _read_scans(data: bytes, pages: list[_Page], limits: FileLimits) -> tuple[str, ...]:
    scanned = [page for page in pages if page.scanned]
    if not scanned:
        return ()
    budget = OcrBudget(limits.ocr_seconds)
    unread: list[int] = []
    reason = ""
    for page in scanned:
        result = ocr_page(data, page.number, budget)
        if result.text is None:
            unread.append(page.number)
            reason = result.problem
            continue
        page.lines = _unplaced_lines(result.text)
        page.scanned, page.placed = False, False
    if not unread:
        return ()
    which = f"pagina {unread[0]} is" if len(unread) == 1 else f"pagina's {_ranges(unread)} zijn"
    return (f"{which} gescand en niet gelezen: {reason}",)


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1–3, 5"."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}–{prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return ", ".join(parts)


# --- headers, footers and page numbers ---------------------------------------------------------------

def _drop_running_lines(pages: list[_Page]) -> None:
    """The outer lines of a page (its first and last two, in the top or bottom tenth) that repeat on
    most pages, numbers aside, are the page's furniture, not its text; so are page numbers there."""
    def edges(page: _Page) -> list[Line]:
        if not page.placed:
            return []
        lines = [line for line in page.lines if not line.table and line.text.strip()]
        outer = lines[:RUNNING_LINES] + lines[-RUNNING_LINES:]
        return [line for line in outer if len(line.text) <= 120 and (
            line.bottom <= page.height * EDGE or line.top >= page.height * (1 - EDGE))]

    outer = {page.number: edges(page) for page in pages}
    seen: Counter[str] = Counter()
    for lines in outer.values():
        seen.update({_shape(line.text) for line in lines})
    repeated = {shape for shape, n in seen.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    for page in pages:
        furniture = {id(line) for line in outer[page.number]
                     if _shape(line.text) in repeated or _PAGE_NUMBER.match(line.text.strip())}
        body = [line for line in page.lines if id(line) not in furniture]
        if any(line.text.strip() for line in body):  # a page of nothing but such lines is all text
            page.lines = body


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


# --- documents ---------------------------------------------------------------------------------------

def _document(pages: list[_Page]) -> str:
    levels = _heading_levels([line for page in pages for line in page.lines])
    blocks: list[str] = []
    for page in pages:
        page_blocks = _paragraphs(page.lines, levels)
        if page_blocks and blocks and _continues(blocks[-1], page_blocks[0]):
            blocks[-1] = join_lines(blocks[-1], page_blocks.pop(0))  # the paragraph runs on: it stays on its first page
        blocks.append(page_mark(page.number))
        blocks.extend(page_blocks)
    return "\n\n".join(blocks)


def _continues(last: str, first: str) -> bool:
    return (not last.startswith(("#", "<!--")) and "\n" not in last and not last.endswith(_SENTENCE_END)
            and first[:1].islower())


def _heading_levels(lines: list[Line]) -> dict[float, int]:
    """Font size -> heading level: sizes clearly above the body's on short lines, biggest first."""
    weights: Counter[float] = Counter()
    for line in lines:
        if not line.table and line.size:
            weights[round(line.size, 1)] += len(line.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    sizes = sorted({round(line.size, 1) for line in lines
                    if not line.table and line.size > body * 1.15 and len(line.text) <= 120}, reverse=True)[:3]
    return {size: level for level, size in enumerate(sizes, start=1)}


def _paragraphs(lines: list[Line], levels: dict[float, int]) -> list[str]:
    """Lines -> blocks: headings, tables, and paragraphs of the lines that run on."""
    blocks: list[str] = []
    previous: Line | None = None
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        level = levels.get(round(line.size, 1))
        if line.table:
            blocks.append(text)
        elif level:
            if previous is not None and levels.get(round(previous.size, 1)) == level and blocks[-1].startswith("#"):
                blocks[-1] += " " + text  # a heading over two lines
            else:
                blocks.append("#" * level + " " + text)
        elif previous is not None and _runs_on(previous, line, levels):
            blocks[-1] = join_lines(blocks[-1], text)
        else:
            blocks.append(text)
        previous = line
    return blocks


def _runs_on(previous: Line, line: Line, levels: dict[float, int]) -> bool:
    """The line continues the paragraph of the line before it."""
    if previous.table or levels.get(round(previous.size, 1)) or _LIST_ITEM.match(line.text):
        return False
    if abs(previous.size - line.size) > 0.6 or line.top < previous.top:  # another font, or the next column
        return False
    return line.top - previous.bottom <= 0.6 * max(line.size, 1.0)


# --- slides ------------------------------------------------------------------------------------------

def _is_slide_deck(pages: list[_Page]) -> bool:
    slides = sum(1 for page in pages if page.width > page.height * 1.2
                 and sum(len(line.text.split()) for line in page.lines) < SLIDE_WORDS)
    return bool(pages) and slides >= 0.6 * len(pages)


def _slides(pages: list[_Page]) -> str:
    """A section per page: its largest line near the top as title, the rest as its text."""
    parts: list[str] = []
    for page in pages:
        lines = [line for line in page.lines if line.text.strip()]
        title_line = max((line for line in lines if not line.table and line.top <= page.height * 0.4
                          and len(line.text) <= 120), key=lambda line: line.size, default=None)
        title = " ".join(title_line.text.split()) if title_line is not None else f"Dia {page.number}"
        body = _paragraphs([line for line in lines if line is not title_line], {})
        parts.append("\n\n".join([slide_mark(page.number), f"## {title}", *body]))
    return "\n\n".join(parts)


# --- pypdf, where pdfminer gives up ------------------------------------------------------------------

def _pypdf_page_lines(data: bytes, number: int) -> list[Line]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return _unplaced_lines(PdfReader(io.BytesIO(data)).pages[number - 1].extract_text() or "")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError):
        log.debug("pypdf failed on page %d too: left out", number, exc_info=True)
        return []


def _read_empty_pages_with_pypdf(data: bytes, pages: list[_Page]) -> None:
    """A page where pdfminer found no text and no image may still have text pypdf can read (a font
    pdfminer does not decode)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    empty = [page for page in pages if not page.scanned and not any(line.text.strip() for line in page.lines)]
    if not empty:
        return
    try:
        reader = PdfReader(io.BytesIO(data))
        for page in empty:
            lines = _unplaced_lines(reader.pages[page.number - 1].extract_text() or "")
            if any(line.text for line in lines):
                page.lines, page.placed = lines, False
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, IndexError):
        log.debug("pypdf could not read the empty pages either", exc_info=True)


def _unplaced_lines(text: str) -> list[Line]:
    """Text without positions (OCR, pypdf) as lines one unit apart: a blank line parts paragraphs."""
    return [Line(t.strip(), 0.0, i, i + 1, 0.0, 0.0) for i, t in enumerate(text.splitlines())]


def _pypdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page_mark(i) + "\n\n" + (page.extract_text() or "") for i, page in enumerate(reader.pages, start=1)]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f"de PDF is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    return "\n\n".join(pages)
