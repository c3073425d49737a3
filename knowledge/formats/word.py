"""Word -> Markdown-style text: .docx through python-docx, Word 97-2003 .doc through antiword.

Both keep what people wrote where they wrote it: paragraphs, headings (Heading N / Kop N styles,
the .doc's chapters and sections), lists, and tables in body order (a row per line after the
header row, tables.py). A .docx also gives the text of its text boxes, after the paragraph they are
anchored in, and of its content controls; its tracked changes read as accepted (inserted text in,
deleted text out). A file that cannot be read raises
:class:`DocumentError` with a Dutch reason.

Its date: the core properties (.docx), the OLE2 summary information through olefile (.doc;
BSD, already here through python-oxmsg).

Why antiword for .doc: Debian keeps it (package ``antiword``), it reads Word 6 to 2003 in a
fraction of a second, and its DocBook output keeps headings and tables apart; no PyPI library reads
.doc beyond raw text, and LibreOffice would be a 300 MB dependency for three legacy files.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import BinaryIO, Iterator

from knowledge.errors import DocumentError
from knowledge.formats.mail import OLE_MAGIC
from knowledge.formats.reading import Reading, written_on
from knowledge.formats.smartart import smartart_text
from knowledge.formats.tables import table_to_text

log = logging.getLogger(__name__)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _TBL, _SDT, _TXBX = f"{{{_W}}}p", f"{{{_W}}}tbl", f"{{{_W}}}sdt", f"{{{_W}}}txbxContent"
_FALLBACK = f"{{{_MC}}}Fallback"
_KEPT_RUNS = ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom) and not(ancestor::mc:Fallback)]"
_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)


# --- DOCX ------------------------------------------------------------------------------------------

def docx_to_markdown(stream: BinaryIO) -> Reading:
    """Paragraphs, text boxes, SmartArt and tables in body order; Heading N / Kop N styles become headings;
    written: the core properties' last saved (else created) date."""
    import docx

    try:
        document = docx.Document(stream)
        blocks = list(_docx_blocks(document.element.body, document.part, _StyleNames(document)))
        properties = document.core_properties
        written = written_on(properties.modified, properties.created)
    except DocumentError:
        raise
    except Exception as exc:  # python-docx raises zipfile/lxml/KeyError errors for broken files
        log.debug("docx unreadable", exc_info=True)
        raise DocumentError(f"het Word-bestand is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    return Reading("\n\n".join(b for b in blocks if b.strip()), written=written)


class _StyleNames:
    """Paragraph style id -> its name, read once per document (python-docx's `paragraph.style` looks
    for the default style among all styles on every unstyled paragraph: most of a long file's time)."""

    def __init__(self, document) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        paragraph_styles = [s for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH]
        self._names = {s.style_id: s.name or "" for s in paragraph_styles}
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        self._default = (default.name or "") if default is not None else ""

    def of(self, paragraph) -> str:
        style_id = paragraph._p.style
        return self._names.get(style_id, self._default) if style_id else self._default


def _docx_blocks(container, part, styles: _StyleNames) -> Iterator[str]:
    """The blocks of a body, cell, text box or content control, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == _P:
            yield _docx_paragraph(Paragraph(child, part), styles)
            for box in _text_boxes(child):
                yield from _docx_blocks(box, part, styles)
            yield smartart_text(child, part)
        elif child.tag == _TBL:
            yield table_to_text(_docx_rows(Table(child, part), part, styles))
        elif child.tag == _SDT:
            content = child.find(f"{{{_W}}}sdtContent")
            if content is not None:
                yield from _docx_blocks(content, part, styles)


def _text_boxes(paragraph) -> list:
    """The text boxes anchored in a paragraph, outermost only; Word writes each one twice (the
    drawing and a VML fallback for old readers), the fallback is left out."""
    boxes = []
    for box in paragraph.iter(_TXBX):
        between = []
        node = box.getparent()
        while node is not None and node is not paragraph:
            between.append(node.tag)
            node = node.getparent()
        if _TXBX not in between and _FALLBACK not in between:
            boxes.append(box)
    return boxes


def _docx_paragraph(paragraph, styles: _StyleNames) -> str:
    text = _paragraph_text(paragraph._p).strip()
    if not text:
        return ""
    style = styles.of(paragraph)
    if style.lower() == "title":
        return f"# {text}"
    match = _HEADING_STYLE.match(style.strip())
    if match:
        return "#" * min(int(match.group(1)), 6) + " " + text
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if "list" in style.lower() or numbered:
        return f"- {text}"
    return text


def _paragraph_text(p) -> str:
    """The paragraph's text as Word shows it with its tracked changes accepted: the runs inside
    insertions (`w:ins`, `w:moveTo`), inline content controls, simple fields and smart tags too, which
    python-docx's `paragraph.text` leaves out (it reads only the runs and hyperlinks directly under
    the paragraph: of a heading "versie 2.0, dd. 13 maart 2025" typed over an older one it keeps
    "versie , dd."); deleted text (`w:del`, `w:moveFrom`) and a drawing's copy for old readers
    (`mc:Fallback`) left out, and the runs of a text box anchored here left to the text box."""
    from lxml import etree

    runs = etree.ElementBase.xpath(p, _KEPT_RUNS, namespaces={"w": _W, "mc": _MC})
    return "".join(r.text for r in runs if r.xpath("ancestor::w:p[1]")[0] is p)


def _docx_rows(table, part, styles: _StyleNames) -> Iterator[list[str]]:
    """Cell texts per row. A cell merged across columns counts once; a cell merged down the rows
    keeps its text in its first row only (python-docx would repeat it in every row)."""
    for tr in table._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                cells.append("")
            else:
                cells.append(" ".join(" ".join(b.split()) for b in _docx_blocks(tc, part, styles) if b.strip()))
        yield cells


# --- DOC (Word 97-2003) ----------------------------------------------------------------------------

ANTIWORD_SECONDS = 60  # antiword reads a large .doc in well under a second; more is a hang
ANTIWORD_MISSING = ("Word 97-2003 (.doc) kan niet worden gelezen: het programma antiword ontbreekt "
                    "(installeer het Debian-pakket antiword)")


def doc_to_markdown(data: bytes) -> Reading:
    """A Word 97-2003 file through `antiword -x db` (DocBook): chapters and sections as headings,
    tables as tables, lists as lists; written: its summary information's last saved (else created)
    date, read with olefile."""
    executable = shutil.which("antiword")
    if executable is None:
        raise DocumentError(ANTIWORD_MISSING)
    if not data.startswith(OLE_MAGIC):  # every Word 97-2003 file is an OLE2 compound file
        raise DocumentError("het Word 97-2003-bestand is beschadigd of onleesbaar (geen OLE2-bestand)")
    with tempfile.TemporaryDirectory(prefix="vraagbaak-doc-") as folder:
        path = Path(folder) / "document.doc"
        path.write_bytes(data)
        try:
            result = subprocess.run([executable, "-x", "db", "-m", "UTF-8.txt", str(path)],
                                    capture_output=True, timeout=ANTIWORD_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"het Word 97-2003-bestand kon niet binnen {ANTIWORD_SECONDS} s "
                                "worden gelezen") from exc
    if result.returncode != 0 or not result.stdout.strip():
        reason = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        log.debug("antiword failed (%d): %s", result.returncode, reason)
        raise DocumentError("het Word 97-2003-bestand is beschadigd of onleesbaar"
                            + (f" ({_antiword_reason(reason[-1])})" if reason else ""))
    return Reading(docbook_to_markdown(result.stdout), written=_doc_written(data))


def _doc_written(data: bytes) -> date | None:
    """The OLE2 summary information's dates; a file without them (or unreadable ones) has none."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            meta = ole.get_metadata()
        return written_on(meta.last_saved_time, meta.create_time)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.debug("doc summary information unreadable: %s", exc)
        return None


def _antiword_reason(line: str) -> str:
    """antiword names the temporary file in its messages: the reason without it."""
    return re.sub(r"^.*?document\.doc'?\s*", "", line).strip() or line


_SECTIONS = {"chapter": 1, "appendix": 1, "preface": 1, "sect1": 2, "sect2": 3, "sect3": 4,
             "sect4": 5, "sect5": 6, "section": 2}
_LISTS = frozenset({"itemizedlist", "orderedlist"})
_TABLES = frozenset({"informaltable", "table"})


def docbook_to_markdown(xml: bytes) -> str:
    """antiword's DocBook -> Markdown-style text; the book's own title (a document property,
    often a template's "Rapport") is left out."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True,
                             huge_tree=False)
    root = etree.fromstring(xml, parser=parser)
    if root is None:
        raise DocumentError("het Word 97-2003-bestand is beschadigd of onleesbaar (geen tekst)")
    blocks = [b for child in root if child.tag not in ("title", "bookinfo") for b in _docbook_blocks(child)]
    return "\n\n".join(b for b in blocks if b.strip())


def _docbook_blocks(element) -> Iterator[str]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SECTIONS:
        title = element.find("title")
        heading = _inline(title) if title is not None else ""
        if heading:
            yield "#" * _SECTIONS[tag] + " " + heading
        for child in element:
            if child is not title:
                yield from _docbook_blocks(child)
    elif tag in _TABLES:
        yield table_to_text([_inline(entry) for entry in row.iter("entry")] for row in element.iter("row"))
    elif tag in _LISTS:
        for item in element.iter("listitem"):
            text = _inline(item)
            if text:
                yield f"- {text}"
    elif tag == "para":
        yield from _docbook_para(element)
    elif tag:
        for child in element:
            yield from _docbook_blocks(child)


def _docbook_para(para) -> Iterator[str]:
    """A paragraph's text; the tables and lists antiword nests inside a paragraph come out as
    blocks of their own, where they stand."""
    words: list[str] = [para.text or ""]
    for child in para:
        if child.tag in _TABLES or child.tag in _LISTS:
            yield " ".join("".join(words).split())
            words = []
            yield from _docbook_blocks(child)
        else:
            words.append(_inline(child, keep_space=True))
        words.append(child.tail or "")
    yield " ".join("".join(words).split())


def _inline(element, *, keep_space: bool = False) -> str:
    text = "".join(element.itertext())
    return text if keep_space else " ".join(text.split())
