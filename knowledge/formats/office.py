"""Office files -> Markdown-style text: OpenDocument (.odt, .ods, .odp) through odfdo, PowerPoint (.pptx)
through python-pptx, Excel (.xlsx) through openpyxl (Word is in word.py).

Text documents keep their headings; every sheet is a ``## name`` section and every slide a
``## title`` section after its slide mark (pages.py), so each slide is a passage of its own that
knows its number. Sheet rows become one line each, ``kolom: waarde; …`` after a header row
(tables.py). A file that cannot
be opened raises :class:`DocumentError` with a Dutch reason; only the libraries' own errors on
reading the file are caught, so a mistake of ours is not reported as a broken file.
"""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date
from typing import Iterator, Sequence

from knowledge.errors import DocumentError
from knowledge.formats.pages import slide_mark
from knowledge.formats.reading import Reading, written_on
from knowledge.formats.smartart import smartart_text
from knowledge.formats.sheets import Sheet, cell_text, sheet_to_markdown
from knowledge.formats.tables import MAX_COLUMNS, table_to_text

log = logging.getLogger(__name__)

# --- OpenDocument ----------------------------------------------------------------------------------

def opendocument_to_markdown(data: bytes) -> Reading:
    """An .odt, .ods or .odp file, read by what its mimetype says it is; written: its meta's
    modification (else creation) date."""
    document, body = _open_opendocument(data)
    kind = document.get_type()
    if kind.startswith("text"):
        parts = [_odf_blocks(child) for child in body.children]
    elif kind.startswith("spreadsheet"):
        parts = [sheet_to_markdown(_odf_sheet(table, table.name or f"Blad {i}"))
                 for i, table in enumerate(body.get_elements("table:table"), start=1)]
    elif kind.startswith("presentation") or kind.startswith("drawing"):
        parts = [_odf_slide(page, i) for i, page in enumerate(body.get_elements("draw:page"), start=1)]
    else:
        raise DocumentError(f"OpenDocument-type '{kind}' wordt niet ondersteund")
    return Reading("\n\n".join(p for p in parts if p.strip()), written=_odf_written(document))


def _odf_written(document) -> date | None:
    """The meta's dates; a file without meta.xml, or with a date odfdo cannot parse, has none."""
    try:
        meta = document.meta
        return written_on(meta.get_modification_date(), meta.get_creation_date())
    except (KeyError, ValueError, TypeError, AttributeError):
        log.debug("OpenDocument meta unreadable", exc_info=True)
        return None


def _open_opendocument(data: bytes):
    from lxml.etree import XMLSyntaxError
    from odfdo import Document
    from odfdo.security import SecurityError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError("het OpenDocument-bestand is beschadigd of onleesbaar (geen zip-archief)")
    try:
        document = Document(io.BytesIO(data))
        return document, document.body  # the body parses content.xml
    except (zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError, SecurityError) as exc:
        log.debug("OpenDocument unreadable", exc_info=True)
        raise DocumentError(
            f"het OpenDocument-bestand is beschadigd of onleesbaar ({type(exc).__name__})") from exc


_ODF_SKIPPED = frozenset({"text:table-of-content", "text:alphabetical-index", "text:bibliography",
                          "text:sequence-decls", "text:tracked-changes", "office:forms",
                          "office:annotation", "presentation:notes"})


def _odf_blocks(element, bullet: str = "") -> str:
    """Headings, paragraphs, lists, tables and sections of a text document, recursively."""
    tag = element.tag
    if tag in _ODF_SKIPPED:
        return ""
    if tag == "text:h":
        text = _odf_text(element)
        level = min(max(int(element.get_attribute_integer("text:outline-level") or 1), 1), 6)
        return f"{'#' * level} {text}" if text else ""
    if tag == "text:p":
        text = _odf_text(element)
        return f"{bullet}{text}" if text else ""
    if tag == "table:table":
        return table_to_text(_odf_table_rows(element))
    if tag == "text:list-item":
        return "\n".join(b for b in (_odf_blocks(c, "- ") for c in element.children) if b)
    separator = "\n" if tag in {"text:list", "text:list-header"} else "\n\n"
    return separator.join(b for b in (_odf_blocks(c, bullet) for c in element.children) if b)


def _odf_text(paragraph) -> str:
    return " ".join(paragraph.inner_text.split())


def _odf_table_rows(table) -> Iterator[list[str]]:
    """Cell texts per row; repeated rows and cells (how ODF stores blank space) are not expanded
    beyond what carries text."""
    for row in table.get_elements(".//table:table-row"):
        cells, _ = _odf_row(row)
        if any(cells):
            yield cells


def _odf_sheet(table, name: str) -> Sheet:
    """A spreadsheet tab: rows by their number (repeated rows counted, blank ones left out), cells
    as the spreadsheet shows them (their text), merged cells' widths."""
    rows: list[tuple[int, list[str]]] = []
    spans: dict[tuple[int, int], int] = {}
    number = 0
    for row in table.get_elements(".//table:table-row"):
        number += 1
        cells, widths = _odf_row(row)
        if any(cells):
            rows.append((number, cells))
            spans.update({(number, column): width for column, width in widths.items()})
        number += int(row.get_attribute_integer("table:number-rows-repeated") or 1) - 1
    return Sheet(name, rows, spans)


def _odf_row(row) -> tuple[list[str], dict[int, int]]:
    """A row's cell texts, and the columns a filled merged cell covers by where it starts."""
    cells: list[str] = []
    widths: dict[int, int] = {}
    for cell in row.children:
        if cell.tag not in {"table:table-cell", "table:covered-table-cell"}:
            continue
        text = " ".join(_odf_text(p) for p in cell.get_elements("text:p"))
        width = int(cell.get_attribute_integer("table:number-columns-spanned") or 1)
        if text and width > 1:
            widths[len(cells)] = width
        repeat = int(cell.get_attribute_integer("table:number-columns-repeated") or 1)
        cells.extend([text] * min(repeat, MAX_COLUMNS - len(cells)))
        if len(cells) >= MAX_COLUMNS:
            break
    return cells, widths


def _odf_slide(page, number: int) -> str:
    title = ""
    blocks: list[str] = []
    for child in page.children:
        if child.tag == "presentation:notes":
            continue
        if not title and child.get_attribute_string("presentation:class") == "title":
            title = " ".join(_odf_shape_text(child).split())
            continue
        blocks.append(_odf_shape_text(child))
    notes = "\n".join(_odf_shape_text(n) for n in page.get_elements("presentation:notes/draw:frame")
                      if n.get_attribute_string("presentation:class") == "notes")
    return _slide_section(title, number, blocks, notes)


def _odf_shape_text(shape) -> str:
    """The text of a frame, custom shape or group: its paragraphs, lists and tables."""
    if shape.tag in {"text:p", "text:h", "text:list", "table:table"}:
        return _odf_blocks(shape)
    return "\n".join(b for b in (_odf_shape_text(c) for c in shape.children) if b)


TITLE_CHARACTERS = 80  # a text-box line longer than this is text, not a slide's title


def _slide_section(title: str, number: int, blocks: list[str], notes: str) -> str:
    blocks = [b.strip() for b in blocks if b.strip()]
    if not title:
        title, blocks = _title_from_text(blocks)
    body = "\n\n".join(blocks)
    parts = [slide_mark(number), f"## {title or f'Dia {number}'}", body]
    if notes.strip():
        parts.append(f"Notities: {notes.strip()}")
    return "\n\n".join(p for p in parts if p)


def _title_from_text(blocks: list[str]) -> tuple[str, list[str]]:
    """A slide without a title placeholder is titled by its first text line when that reads as a
    title (short, no sentence, not a list item or table row) and more text follows it."""
    if not blocks:
        return "", blocks
    first, _, rest = blocks[0].partition("\n")
    first = first.strip()
    titled = (first and len(first) <= TITLE_CHARACTERS and not first.endswith((".", "?", "!", ":", ";", ","))
              and not first.startswith(("-", "•")) and "|" not in first and "; " not in first)
    following = [b for b in [rest.strip(), *blocks[1:]] if b]
    if not titled or not following:
        return "", blocks
    return first, following


# --- PowerPoint ------------------------------------------------------------------------------------

def pptx_to_markdown(data: bytes) -> Reading:
    """Each slide a `## title` section with its text frames, tables and speaker notes; written: the
    core properties' last saved (else created) date."""
    from lxml.etree import XMLSyntaxError
    from pptx import Presentation
    from pptx.exc import PythonPptxError

    try:
        presentation = Presentation(io.BytesIO(data))
        slides = list(presentation.slides)
        properties = presentation.core_properties
        written = written_on(properties.modified, properties.created)
    except (zipfile.BadZipFile, KeyError, XMLSyntaxError, PythonPptxError) as exc:
        log.debug("pptx unreadable", exc_info=True)
        raise DocumentError(
            f"het PowerPoint-bestand is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    return Reading("\n\n".join(_pptx_slide(slide, i) for i, slide in enumerate(slides, start=1)), written=written)


def _pptx_slide(slide, number: int) -> str:
    title_shape = slide.shapes.title
    title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
    shapes = [s for s in _pptx_shapes(slide.shapes)
              if title_shape is None or s.shape_id != title_shape.shape_id]
    notes = ""
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = slide.notes_slide.notes_text_frame.text
    return _slide_section(title, number, [_pptx_shape_text(s) for s in shapes], notes)


def _pptx_shapes(shapes) -> list:
    """The shapes in reading order (top to bottom, left to right), groups opened."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    found = []
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            found.extend(_pptx_shapes(shape.shapes))
        else:
            found.append(shape)
    return sorted(found, key=lambda s: (s.top or 0, s.left or 0))


def _pptx_shape_text(shape) -> str:
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        return table_to_text(rows)
    if not shape.has_text_frame:
        return smartart_text(shape.element, shape.part)
    lines = []
    for paragraph in shape.text_frame.paragraphs:
        text = " ".join(paragraph.text.split())
        if text:
            lines.append(("  " * paragraph.level + "- " + text) if paragraph.level else text)
    return "\n".join(lines)


# --- Excel -----------------------------------------------------------------------------------------

MERGES_READ_UP_TO = 5_000_000  # bytes: openpyxl tells merged cells only when it loads the whole workbook


def xlsx_to_markdown(data: bytes) -> Reading:
    """Each sheet a `## name` section; numbers as their cell format shows them, formulas as the values
    Excel last calculated; written: the core properties' last saved (else created) date."""
    from xml.etree.ElementTree import ParseError

    from lxml.etree import XMLSyntaxError
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read-only mode streams a large workbook, but knows no merged cells
        workbook = load_workbook(io.BytesIO(data), read_only=len(data) > MERGES_READ_UP_TO, data_only=True)
        written = written_on(workbook.properties.modified, workbook.properties.created)
        try:
            sheets = [_xlsx_sheet(ws) for ws in workbook.worksheets]
        finally:
            workbook.close()
    # openpyxl parses with lxml when it is installed, else with the standard library
    except (zipfile.BadZipFile, KeyError, InvalidFileException, XMLSyntaxError, ParseError) as exc:
        log.debug("xlsx unreadable", exc_info=True)
        raise DocumentError(f"het Excel-bestand is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    parts = [sheet_to_markdown(sheet) for sheet in sheets]
    return Reading("\n\n".join(p for p in parts if p), written=written)


def _xlsx_sheet(ws) -> Sheet:
    rows = []
    for number, row in _xlsx_rows(ws):
        cells = [cell_text(cell.value, getattr(cell, "number_format", None)) if cell else "" for cell in row]
        if any(cells):
            rows.append((number, cells))
    spans = {(r.min_row, r.min_col - 1): r.max_col - r.min_col + 1
             for r in getattr(ws, "merged_cells", None) or () if r.max_col > r.min_col}
    return Sheet(ws.title, rows, spans)


def _xlsx_rows(ws) -> Iterator[tuple[int, Sequence[object | None]]]:
    """(row number, its cells, None where it has none) for the rows that hold cells. A loaded sheet's
    grid is not walked: iter_rows creates every cell up to max_row, so one stray cell in row 1,048,576
    would make a few-kB file millions of cells; openpyxl keeps the cells it read in `_cells`."""
    read = getattr(ws, "_cells", None)
    if read is None:  # read-only: streamed, each row as wide as its last cell, missing rows empty
        ws.reset_dimensions()  # else it reads no further than the size the file states ("A1" from some writers)
        for number, row in enumerate(ws.iter_rows(min_row=1), start=1):
            yield number, row[:MAX_COLUMNS]
        return
    by_row: dict[int, dict[int, object]] = {}
    for (row, column), cell in read.items():
        if column <= MAX_COLUMNS:
            by_row.setdefault(row, {})[column] = cell
    for row in sorted(by_row):
        cells = by_row[row]
        yield row, [cells.get(column) for column in range(1, max(cells) + 1)]
