"""Spreadsheet tabs (Excel, OpenDocument; CSV is tables.py) -> a ``## tab`` section of row lines that each say what
their values are, the way a treasurer reads a budget: ``Baten: Verkoop collectebonnen; 2026: € 9.000,00;
2025: € 10.354,00``.

A sheet is not a document table: its column headers need not be its first row (a title and blank
rows come first), they may be spread over several rows (``Huur`` / ``op rek.`` / ``#400``) or one
merged cell over several columns, a year is a header (``2026``), and one tab may hold several
tables one below the other (``Baten``, then ``Lasten``), each with its own header row. The rows follow
a rows mark (pages.py), so the chunker cuts them into small passages of whole rows.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

from knowledge.formats.pages import ROWS_MARK
from knowledge.formats.tables import named_pairs, trimmed_cells

HEADER_WITHIN = 8  # the first table's header is among a sheet's first rows (a title and notes above it)
HEADER_CHARACTERS = 80  # a longer cell is text, not a column's name


@dataclass
class Sheet:
    """One tab: its rows by their number in the sheet (blank rows left out, so a gap shows), and the
    cells merged over several columns: (row number, column) -> how many columns."""

    name: str
    rows: list[tuple[int, list[str]]]
    spans: dict[tuple[int, int], int] = field(default_factory=dict)


def sheet_to_markdown(sheet: Sheet) -> str:
    """One sheet as a `## name` section of row lines after a rows mark; an empty sheet gives nothing."""
    lines = sheet_lines(sheet.rows, sheet.spans)
    return f"## {sheet.name}\n\n{ROWS_MARK}\n" + "\n".join(lines) if lines else ""


def sheet_lines(rows: Iterable[tuple[int, Sequence[str | None]]],
                spans: dict[tuple[int, int], int] | None = None) -> list[str]:
    """Row lines: `kolom: waarde` pairs under the header in force, titles and notes as plain lines."""
    table = [(number, cells) for number, cells in ((n, trimmed_cells(r)) for n, r in rows) if any(cells)]
    spans = spans or {}
    headers = _header_blocks(table)
    numeric = any(_has_number(cells) for _, cells in table)
    lines: list[str] = []
    header: list[str] | None = None
    i = 0
    while i < len(table):
        if i in headers:
            end = headers[i]
            header = _stacked([_spread(table[j], spans) for j in range(i, end)])
            lines.append(" | ".join(c for c in header if c))
            i = end
            continue
        cells = table[i][1]
        filled = [c for c in cells if c]
        if header is None or _is_label(cells) or (numeric and _is_title(table, i)):
            lines.append(" | ".join(filled))
        else:
            lines.append(named_pairs(header, cells))
        i += 1
    return lines


# --- finding the header rows -----------------------------------------------------------------------

def _header_blocks(table: list[tuple[int, list[str]]]) -> dict[int, int]:
    """Where each header block starts -> where it ends (exclusive), as indexes into `table`.

    A block: a header-like row and the rows of names adjacent below it (``Huur`` / ``op rek.`` /
    ``#400``), followed by a row with a number, a lone label (``JANUARI``) allowed between. The first
    lies among the sheet's first rows; a later one follows a blank row or a lone label (``Lasten``
    after ``Baten``). A sheet of text alone has its first header-like row as header."""
    if not any(_has_number(cells) for _, cells in table):
        start = next((i for i, (_, cells) in enumerate(table[:5])
                      if i + 1 < len(table) and _is_header(cells)), None)
        return {} if start is None else {start: start + 1}
    blocks: dict[int, int] = {}
    i = 0
    while i < len(table):
        starts_anew = i > 0 and (table[i][0] > table[i - 1][0] + 1 or _is_label(table[i - 1][1]))
        if _is_header(table[i][1]) and (starts_anew or (not blocks and i <= HEADER_WITHIN)):
            end = i + 1
            while end < len(table) and _may_stack(table[end][1]) and table[end][0] == table[end - 1][0] + 1:
                end += 1
            data = end
            while data < len(table) and _is_label(table[data][1]):
                data += 1
            if data < len(table) and _has_number(table[data][1]):
                blocks[i] = end
                i = end
                continue
        i += 1
    return blocks


def _is_title(table: list[tuple[int, list[str]]], i: int) -> bool:
    """In a sheet of figures, a header-like row after a blank row that heads no figures: a table's
    title (``Lasten 2026 | Wijkkas De Lichtbron``)."""
    return i > 0 and table[i][0] > table[i - 1][0] + 1 and _is_header(table[i][1])


# --- combining header rows -------------------------------------------------------------------------

def _spread(row: tuple[int, list[str]], spans: dict[tuple[int, int], int]) -> list[str]:
    """A header row with each merged cell's text over every column it covers."""
    number, cells = row
    cells = list(cells)
    for (at, column), width in spans.items():
        if at == number and column < len(cells) and cells[column]:
            cells.extend([""] * max(0, column + width - len(cells)))
            for covered in range(column + 1, column + width):
                cells[covered] = cells[covered] or cells[column]
    return cells


def _stacked(rows: list[list[str]]) -> list[str]:
    """Header rows one above the other -> one name per column (``Huur op rek. #400``). A sparse top
    row names the groups of columns below it (``Beginbalans`` over ``Debet`` and ``Credit``)."""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    if len(rows) > 1:
        top, bottom = rows[0], rows[-1]
        if sum(1 for c in top if c) < sum(1 for c in bottom if c):
            rows[0] = _filled_right(top, bottom)
    names = []
    for column in range(width):
        words: list[str] = []
        for row in rows:
            named = any(ch.isalnum() for ch in row[column])  # not a bullet or a dash
            if named and (not words or words[-1] != row[column]):
                words.append(row[column])
        names.append(" ".join(words))
    return names


def _filled_right(top: list[str], below: list[str]) -> list[str]:
    filled = list(top)
    for column in range(1, len(filled)):
        if not filled[column] and filled[column - 1] and below[column] and not top[column]:
            filled[column] = filled[column - 1]
    return filled


# --- cells -----------------------------------------------------------------------------------------

def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell's value as its sheet shows it: a number in its cell format (``€ 10.354,00``, ``12%``),
    Dutch separators as Dutch Excel shows them; a date as ISO date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (int, float)):
        return _formatted_number(value, number_format or "General")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ", "minutes")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_DIGITS = re.compile(r"[#0?][#0?,]*(?:\.[#0?]*)?|\.[#0?]+")


def _formatted_number(value: int | float, number_format: str) -> str:
    """Excel's number format, for what it says of decimals, thousands, currency and percent;
    text formats, General and fractions (``# ?/?``) show the plain number."""
    plain = str(int(value)) if float(value).is_integer() else f"{value:.10g}"
    sections = number_format.split(";")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    literal = _QUOTED.sub(lambda m: m.group(0).strip('"') if m.group(0).startswith('"') else "", section)
    digits = _DIGITS.search(re.sub(r"\[[^]]*\]", "", literal))
    if number_format in {"General", "@"} or digits is None or "/" in literal:
        return plain
    pattern = digits.group(0)
    decimals = len(pattern.split(".", 1)[1]) if "." in pattern else 0
    number = abs(Decimal(repr(value))) * (100 if "%" in literal else 1)
    number = number.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)  # as Excel: 2.5 shows as 3
    text = f"{number:,.{decimals}f}" if "," in pattern.split(".")[0] else f"{number:.{decimals}f}"
    text = text.translate(str.maketrans(",.", ".,"))
    currency = "€ " if "€" in section else "$ " if "$" in literal else ""
    return f"{currency}{'-' if value < 0 else ''}{text}{'%' if '%' in literal else ''}"


_NUMBER = re.compile(r"^[-+€$%\d.,\s()]+$")
_YEAR = re.compile(r"^(19|20)\d\d$")


def _is_number(cell: str) -> bool:
    return bool(_NUMBER.match(cell)) and any(ch.isdigit() or ch == "-" for ch in cell)


def _has_number(cells: list[str]) -> bool:
    return any(_is_number(c) and not _YEAR.match(c) for c in cells if c)


def _is_header(cells: list[str]) -> bool:
    """Short cells, no figure among them, two or more of them names or years: a row of column names."""
    return _may_stack(cells) and sum(1 for c in cells if _YEAR.match(c) or any(ch.isalpha() for ch in c)) >= 2


def _may_stack(cells: list[str]) -> bool:
    """Two or more short cells, none a figure: a header row's continuation (``#121 | #411``)."""
    filled = [c for c in cells if c]
    return len(filled) >= 2 and not _has_number(filled) and all(len(c) <= HEADER_CHARACTERS for c in filled)


def _is_label(cells: list[str]) -> bool:
    """One filled cell of text: a table's title or a group's name (``JANUARI``, ``Uitgaven:``)."""
    filled = [c for c in cells if c]
    return len(filled) == 1 and not _is_number(filled[0])
