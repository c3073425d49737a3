"""One PDF page -> its lines in reading order, with ruled tables as tables, through pdfplumber.

pdfplumber gives the words with their positions and font sizes and finds tables by their ruling
lines. Words are gathered into rows by height; a page set in two columns (a vertical gutter that
almost no word crosses, with both columns filled to the gutter) is read left column first, then
right, and a row that spans the gutter (a title) stays where it is. A ruled table is kept only when
it is one: at least two rows with two or more filled cells (deeds and forms draw invisible grids
around running text; those stay text). Words far apart on one row (an unruled table, a form) are
joined with `` | `` so their columns stay apart.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from knowledge.formats.tables import table_to_text

MIN_TABLE_ROWS = 2  # rows with two or more filled cells that make a ruled grid a table


@dataclass
class Line:
    """A line of a page (or a whole table, `table` set), with where it sits and its font size."""

    text: str
    size: float
    top: float
    bottom: float
    x0: float
    x1: float
    table: bool = False


def page_lines(page) -> list[Line]:
    """The page's lines in reading order, its tables among them where they stand."""
    tables = _tables(page) if (page.rects or page.lines) else []
    cells = [cell for _, _, table_cells in tables for cell in table_cells]
    words = [w for w in page.extract_words(extra_attrs=["size"], use_text_flow=False)
             if not any(_inside(w, cell) for cell in cells)]
    rows = _rows(words)
    rows.extend([_TableRow(bbox, text)] for bbox, text, _ in tables)
    rows.sort(key=lambda row: row[0].top if isinstance(row[0], _TableRow) else row[0]["top"])
    return _read(rows, _gutter(words))


@dataclass
class _TableRow:
    bbox: tuple[float, float, float, float]
    text: str

    @property
    def top(self) -> float:
        return self.bbox[1]


def _tables(page) -> list[tuple[tuple[float, float, float, float], str, list]]:
    """(bounding box, text, cell boxes) of the ruled tables that hold a table: most of their rows
    have two or more filled cells."""
    found = []
    for table in page.find_tables():
        rows = [[" ".join(_joined_lines(cell).split()) if cell else "" for cell in row] for row in table.extract()]
        filled = [sum(1 for cell in row if cell) for row in rows]
        several = sum(1 for n in filled if n >= 2)
        if several >= MIN_TABLE_ROWS and several >= 0.5 * sum(1 for n in filled if n):
            found.append((tuple(table.bbox), table_to_text(rows), list(table.cells)))
    return found


def _joined_lines(cell: str) -> str:
    """A cell's lines as one text, a word broken over two lines made whole again."""
    lines = [line.strip() for line in cell.split("\n") if line.strip()]
    text = lines[0] if lines else ""
    for line in lines[1:]:
        text = join_lines(text, line)
    return text


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _rows(words: list[dict]) -> list[list[dict]]:
    """Words on the same height, left to right; the rows top to bottom."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        row = rows[-1] if rows else None
        tolerance = max(2.0, 0.5 * (word["bottom"] - word["top"]))
        if row is not None and abs(word["top"] - row[0]["top"]) <= tolerance:
            row.append(word)
        else:
            rows.append([word])
    for row in rows:
        row.sort(key=lambda w: w["x0"])
    return rows


def _gutter(words: list[dict]) -> tuple[float, float] | None:
    """(x, width) of the gap between two columns of text, if the page has one."""
    if len(words) < 60:
        return None
    left_edge = min(w["x0"] for w in words)
    span = max(w["x1"] for w in words) - left_edge
    if span < 200:
        return None
    cover = [0] * (int(span) + 2)
    for word in words:
        for x in range(int(word["x0"] - left_edge), int(word["x1"] - left_edge) + 1):
            cover[x] += 1
    allowed = max(1, len(words) // 50)  # a title across both columns crosses the gutter
    best: tuple[int, int] | None = None
    start = None
    for x in range(int(span * 0.3), int(span * 0.7) + 1):
        if cover[x] <= allowed:
            start = x if start is None else start
            if best is None or x - start > best[1] - best[0]:
                best = (start, x)
        else:
            start = None
    if best is None or best[1] - best[0] < 8:
        return None
    gutter = left_edge + (best[0] + best[1]) / 2
    left = [w for w in words if w["x1"] <= gutter]
    right = [w for w in words if w["x0"] >= gutter]
    if min(len(left), len(right)) < 0.2 * len(words):
        return None
    # Text columns are filled up to the gutter; a column of labels ("Naam:", "Datum:") is not.
    ends = [max(w["x1"] for w in row) for row in _rows(left)]
    if statistics.median(ends) < left_edge + 0.75 * (gutter - left_edge):
        return None
    return gutter, float(best[1] - best[0])


def _read(rows: list[list], gutter: tuple[float, float] | None) -> list[Line]:
    """Rows -> lines in reading order: within a stretch of two-column rows, the left column's lines
    first; a row that spans the gutter (a title, a centred footer), or a table, ends the stretch."""
    out: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []

    def flush() -> None:
        out.extend(left)
        out.extend(right)
        left.clear()
        right.clear()

    for row in rows:
        if isinstance(row[0], _TableRow):
            flush()
            x0, top, x1, bottom = row[0].bbox
            out.append(Line(row[0].text, 0.0, top, bottom, x0, x1, table=True))
        elif gutter is None or _spans(row, *gutter):
            flush()
            out.append(_line(row))
        else:
            left_words = [w for w in row if w["x1"] <= gutter[0]]
            right_words = [w for w in row if w["x0"] >= gutter[0]]
            if left_words:
                left.append(_line(left_words))
            if right_words:
                right.append(_line(right_words))
    flush()
    return out


def _spans(row: list[dict], x: float, width: float) -> bool:
    """A row crosses the gutter: a word lies across it, or two words on either side stand closer
    together than the columns do."""
    for before, word in zip(row, row[1:]):
        if before["x0"] < x < before["x1"] or (before["x1"] <= x <= word["x0"]
                                                and word["x0"] - before["x1"] < width / 2):
            return True
    return row[-1]["x0"] < x < row[-1]["x1"]


def _line(words: list[dict]) -> Line:
    text = words[0]["text"]
    for before, word in zip(words, words[1:]):
        apart = word["x0"] - before["x1"] > 2.5 * max(word["size"], 1.0) and len(text) > 3  # not after "1." or "•"
        text += (" | " if apart else " ") + word["text"]
    return Line(text=text, size=max(float(w["size"]) for w in words), top=min(w["top"] for w in words),
                bottom=max(w["bottom"] for w in words), x0=words[0]["x0"], x1=words[-1]["x1"])


_NOT_BROKEN = frozenset({"en", "of", "tot", "t/m", "and", "or", "to"})  # "zorg- en welzijn" stays


def join_lines(first: str, second: str) -> str:
    """Two lines of one paragraph; a word hyphenated at the end of the first is made whole
    ("afbre-" + "king" -> "afbreking"), unless the next word shows the hyphen is meant."""
    head = second.split(" ", 1)[0]
    if (len(first) >= 2 and first.endswith("-") and first[-2].isalpha() and head[:1].islower()
            and head.rstrip(",.;:") not in _NOT_BROKEN):
        return first[:-1] + second
    return f"{first} {second}"
