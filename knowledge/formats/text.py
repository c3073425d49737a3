"""Text-based formats -> Markdown-style text: plain text (decoded, its titles made headings), RTF
through striprtf, CSV through the standard `csv` module.

CSV rows are rendered like spreadsheet rows (``kolom: waarde; …`` after a header row).
"""

from __future__ import annotations

import csv
import io
import re

from knowledge.errors import DocumentError
from knowledge.formats.tables import rows_to_lines

# --- plain text ---------------------------------------------------------------------------------

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


# --- RTF -------------------------------------------------------------------------------------------

def rtf_to_text(data: bytes) -> str:
    """The text of an RTF file (its own escapes carry the code page; bare bytes are Windows-1252)."""
    from striprtf.striprtf import rtf_to_text as strip

    source = data.decode("cp1252", errors="replace")
    if not source.lstrip().startswith("{\\rtf"):
        raise DocumentError("het RTF-bestand is beschadigd of onleesbaar (geen RTF-kop)")
    return strip(source, errors="replace")


# --- CSV -------------------------------------------------------------------------------------------

_DELIMITERS = ";,\t|"


def csv_to_markdown(text: str) -> str:
    """Rows as lines, `kolom: waarde` pairs after a header row; the delimiter is sniffed (Dutch
    exports use `;`)."""
    try:
        rows = list(csv.reader(io.StringIO(text), **_dialect(text[:20_000])))
    except csv.Error as exc:
        raise DocumentError(f"het CSV-bestand is beschadigd of onleesbaar ({exc})") from exc
    return "\n".join(rows_to_lines(rows))


def _dialect(sample: str) -> dict:
    try:
        return {"dialect": csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)}
    except csv.Error:  # one column, or too irregular to tell: the candidate the first line has most of
        first_line = sample.split("\n", 1)[0]
        return {"delimiter": max(_DELIMITERS, key=first_line.count)}
