"""Generate the sample company's PDF and DOCX documents from Markdown sources.

Sources live in ``tools/sample_office_sources/pdf/**.md`` and ``tools/sample_office_sources/docx/**.md``;
each one becomes ``knowledge/sample/<same relative path>.pdf`` or ``.docx``.

The output is deterministic (fixed dates and metadata, normalised zip entries), and a file is only
rewritten when its bytes change, so re-running leaves unchanged documents (and their mtimes) alone
and an incremental re-index sees nothing new.

Supported Markdown: ``#``/``##``/``###`` headings, paragraphs, ``-``/``*`` bullet lists,
``1.`` numbered lists, pipe tables and ``**bold**`` inline text. Links keep their text only.

Usage::

    .venv/bin/python tools/make_sample_office_docs.py           # (re)generate
    .venv/bin/python tools/make_sample_office_docs.py --check   # exit 1 when something is stale
    .venv/bin/python tools/make_sample_office_docs.py hr/       # only sources under pdf/hr and docx/hr
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = REPO_ROOT / "tools" / "sample_office_sources"
DEFAULT_OUTPUT = REPO_ROOT / "knowledge" / "sample"

AUTHOR = "Polderlicht B.V."
# A fixed moment, so that generating twice gives identical bytes.
FIXED_DATE = datetime(2025, 1, 6, 9, 0, 0, tzinfo=timezone.utc)
ZIP_DATE = (2025, 1, 6, 9, 0, 0)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


# --------------------------------------------------------------------------- Markdown blocks


@dataclass
class Block:
    """One block of a Markdown document: heading, paragraph, list or table."""

    kind: str  # "heading" | "paragraph" | "bullets" | "numbers" | "table"
    level: int = 0
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBER = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def parse_markdown(text: str) -> list[Block]:
    """Split Markdown into blocks; consecutive lines of one kind are merged."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if m := _HEADING.match(line):
            blocks.append(Block("heading", level=len(m.group(1)), text=m.group(2)))
            i += 1
        elif line.lstrip().startswith("|"):
            i = _take_table(lines, i, blocks)
        elif _BULLET.match(line) or _NUMBER.match(line):
            i = _take_list(lines, i, blocks)
        else:
            i = _take_paragraph(lines, i, blocks)
    return blocks


def _take_table(lines: list[str], i: int, blocks: list[Block]) -> int:
    rows: list[list[str]] = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        if not _TABLE_RULE.match(lines[i]):
            cells = lines[i].strip().strip("|").split("|")
            rows.append([cell.strip() for cell in cells])
        i += 1
    width = max(len(row) for row in rows)
    blocks.append(Block("table", rows=[row + [""] * (width - len(row)) for row in rows]))
    return i


def _take_list(lines: list[str], i: int, blocks: list[Block]) -> int:
    kind = "bullets" if _BULLET.match(lines[i]) else "numbers"
    pattern = _BULLET if kind == "bullets" else _NUMBER
    items: list[str] = []
    while i < len(lines) and lines[i].strip():
        if m := pattern.match(lines[i]):
            items.append(m.group(1).strip())
        elif lines[i].startswith((" ", "\t")) and items:
            items[-1] += " " + lines[i].strip()  # continuation of the previous item
        else:
            break
        i += 1
    blocks.append(Block(kind, items=items))
    return i


def _take_paragraph(lines: list[str], i: int, blocks: list[Block]) -> int:
    parts: list[str] = []
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        if _HEADING.match(line) or line.lstrip().startswith("|") or _BULLET.match(line) or _NUMBER.match(line):
            break
        parts.append(line.strip())
        i += 1
    blocks.append(Block("paragraph", text=" ".join(parts)))
    return i


def plain_inline(text: str) -> str:
    """Markdown inline text without links, code ticks and italics markers; keeps ``**bold**``."""
    text = _LINK.sub(r"\1", text)
    text = text.replace("`", "")
    return re.sub(r"(?<![*\w])\*(?!\*)([^*]+)\*(?!\*)", r"\1", text)


def bold_runs(text: str) -> list[tuple[str, bool]]:
    """Split inline text into (text, is_bold) runs on ``**`` markers."""
    parts = plain_inline(text).split("**")
    return [(part, index % 2 == 1) for index, part in enumerate(parts) if part]


def document_title(blocks: list[Block], fallback: str) -> str:
    """The first heading's text, else the fallback."""
    for block in blocks:
        if block.kind == "heading":
            return "".join(run for run, _ in bold_runs(block.text))
    return fallback


# --------------------------------------------------------------------------- PDF


def _find_font_dir() -> Path | None:
    for directory in FONT_DIRS:
        if all((directory / name).is_file() for name in FONT_FILES.values()):
            return directory
    return None


_LATIN1_REPLACEMENTS = {"€": "euro", "•": "-", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}


def _latin1(text: str) -> str:
    for char, replacement in _LATIN1_REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


class PdfWriter:
    """Renders blocks with fpdf2; DejaVu Sans when present, else Helvetica with latin-1 text."""

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(True, margin=20)
        self.pdf.set_creation_date(FIXED_DATE)
        self.pdf.set_title(title)
        self.pdf.set_author(AUTHOR)
        self.pdf.set_creator(AUTHOR)
        self.pdf.set_producer(AUTHOR)
        self.pdf.set_lang("nl-NL")
        font_dir = _find_font_dir()
        if font_dir is not None:
            for style, name in FONT_FILES.items():
                self.pdf.add_font("DejaVu", style, str(font_dir / name))
            self.family, self.clean = "DejaVu", (lambda text: text)
        else:
            self.family, self.clean = "Helvetica", _latin1
        self.pdf.add_page()

    def render(self, blocks: list[Block]) -> bytes:
        for block in blocks:
            getattr(self, f"_{block.kind}")(block)
        return bytes(self.pdf.output())

    def _text(self, text: str) -> str:
        return self.clean(plain_inline(text))

    @staticmethod
    def _markdown_safe(text: str) -> str:
        """Escape fpdf2's other emphasis markers (``--``, ``__``, ``~~``) so only ``**`` is styled."""
        text = text.replace("\\", "\\\\")
        for marker in ("--", "__", "~~"):
            text = text.replace(marker, "\\" + marker)
        return text

    def _heading(self, block: Block) -> None:
        size = {1: 18, 2: 14, 3: 12}.get(block.level, 11)
        self.pdf.ln(4 if block.level > 1 else 0)
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(0, size * 0.55, self._text(block.text).replace("**", ""), align="L", new_x="LMARGIN",
                            new_y="NEXT")
        self.pdf.ln(2)

    def _paragraph(self, block: Block) -> None:
        self.pdf.set_font(self.family, "", 10.5)
        self._styled_cell(self._text(block.text))
        self.pdf.ln(2)

    def _styled_cell(self, text: str) -> None:
        markdown = "**" in text
        if markdown:
            text = self._markdown_safe(text)
        self.pdf.multi_cell(0, 5.5, text, align="L", markdown=markdown, new_x="LMARGIN", new_y="NEXT")

    def _list(self, items: list[str], numbered: bool) -> None:
        self.pdf.set_font(self.family, "", 10.5)
        bullet = "•" if self.family == "DejaVu" else "-"
        for number, item in enumerate(items, start=1):
            marker = f"{number}." if numbered else bullet
            self.pdf.set_x(self.pdf.l_margin + 4)
            self.pdf.cell(7, 5.5, marker)
            self._styled_cell(self._text(item))
        self.pdf.ln(2)

    def _bullets(self, block: Block) -> None:
        self._list(block.items, numbered=False)

    def _numbers(self, block: Block) -> None:
        self._list(block.items, numbered=True)

    def _table(self, block: Block) -> None:
        self.pdf.set_font(self.family, "", 9.5)
        with self.pdf.table(text_align="LEFT", line_height=5, first_row_as_headings=True) as table:
            for row in block.rows:
                cells = table.row()
                for cell in row:
                    cells.cell(self._text(cell).replace("**", ""))
        self.pdf.ln(3)


# --------------------------------------------------------------------------- DOCX


class DocxWriter:
    """Renders blocks with python-docx using the built-in Heading, List and Table Grid styles."""

    def __init__(self, title: str) -> None:
        import docx

        self.doc = docx.Document()
        props = self.doc.core_properties
        props.title = title
        props.author = AUTHOR
        props.last_modified_by = AUTHOR
        props.created = FIXED_DATE.replace(tzinfo=None)
        props.modified = FIXED_DATE.replace(tzinfo=None)
        props.revision = 1
        props.language = "nl-NL"

    def render(self, blocks: list[Block]) -> bytes:
        for block in blocks:
            getattr(self, f"_{block.kind}")(block)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return normalise_zip(buffer.getvalue())

    def _runs(self, paragraph, text: str) -> None:  # noqa: ANN001 - python-docx Paragraph
        for run_text, is_bold in bold_runs(text):
            paragraph.add_run(run_text).bold = is_bold or None

    def _heading(self, block: Block) -> None:
        heading = self.doc.add_heading(level=min(block.level, 9))
        heading.add_run("".join(run for run, _ in bold_runs(block.text)))

    def _paragraph(self, block: Block) -> None:
        self._runs(self.doc.add_paragraph(), block.text)

    def _bullets(self, block: Block) -> None:
        for item in block.items:
            self._runs(self.doc.add_paragraph(style="List Bullet"), item)

    def _numbers(self, block: Block) -> None:
        for item in block.items:
            self._runs(self.doc.add_paragraph(style="List Number"), item)

    def _table(self, block: Block) -> None:
        table = self.doc.add_table(rows=len(block.rows), cols=len(block.rows[0]), style="Table Grid")
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                paragraph = table.cell(r, c).paragraphs[0]
                for run_text, is_bold in bold_runs(text):
                    paragraph.add_run(run_text).bold = (r == 0 or is_bold) or None
        self.doc.add_paragraph()


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return target_buffer.getvalue()


# --------------------------------------------------------------------------- driver


def render(source: Path, fmt: str) -> bytes:
    """The PDF or DOCX bytes for one Markdown source."""
    blocks = parse_markdown(source.read_text(encoding="utf-8"))
    title = document_title(blocks, source.stem.replace("-", " ").replace("_", " "))
    writer = PdfWriter(title) if fmt == "pdf" else DocxWriter(title)
    return writer.render(blocks)


def plan(sources: Path, output: Path, only: tuple[str, ...] = ()) -> list[tuple[Path, Path, str]]:
    """(source, target, format) for every Markdown source, in a stable order.

    ``only`` keeps sources whose path relative to their format folder starts with one of the
    given prefixes (for example ``hr/``).
    """
    jobs = []
    for fmt in ("pdf", "docx"):
        root = sources / fmt
        for source in sorted(root.rglob("*.md")) if root.is_dir() else []:
            relative = source.relative_to(root)
            if only and not relative.as_posix().startswith(only):
                continue
            jobs.append((source, (output / relative).with_suffix(f".{fmt}"), fmt))
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="folder with pdf/ and docx/ sources")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="knowledge folder to write into")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    parser.add_argument("only", nargs="*", help="limit to sources under these folders, e.g. hr/ it/")
    args = parser.parse_args(argv)

    stale = 0
    for source, target, fmt in plan(args.sources, args.output, tuple(args.only)):
        data = render(source, fmt)
        if target.is_file() and target.read_bytes() == data:
            continue
        stale += 1
        shown = target.relative_to(args.output) if target.is_relative_to(args.output) else target
        if args.check:
            print(f"stale: {shown}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote: {shown} ({len(data)} bytes)")
    if args.check and stale:
        return 1
    print(f"{stale} file(s) {'stale' if args.check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
