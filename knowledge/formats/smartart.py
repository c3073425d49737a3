"""The text of SmartArt graphics (an organisation chart, a process, a cycle) in PowerPoint and Word
files, which python-pptx and python-docx do not read: the nodes of the graphic's data part, one list
item each, a node's paragraphs and line breaks joined with commas."""

from __future__ import annotations

import logging

from lxml import etree

log = logging.getLogger(__name__)

_DIAGRAM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_DATA_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}dm"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def smartart_text(element, part) -> str:
    """The SmartArt graphics inside `element` (a slide's graphic frame, a Word paragraph), read
    through `part`'s relationships (python-pptx's or python-docx's package part alike); "" without
    any. A broken link or data part is left out and the rest of the file stays."""
    lines = []
    parser = None
    for ids in element.iter(f"{_DIAGRAM}relIds"):
        if any(node.tag == _FALLBACK for node in ids.iterancestors()):
            continue  # the copy for old readers
        parser = parser or etree.XMLParser(resolve_entities=False, no_network=True)  # no entities: untrusted files
        try:
            data = etree.fromstring(part.rels[ids.get(_DATA_ID)].target_part.blob, parser)
        except (KeyError, AttributeError, etree.XMLSyntaxError):
            log.debug("SmartArt data unreadable", exc_info=True)
            continue
        for text in data.iter(f"{_DIAGRAM}t"):
            if node := ", ".join(line for p in text.iter(f"{_DRAWING}p") for line in _lines_of(p)):
                lines.append(f"- {node}")
    return "\n".join(lines)


def _lines_of(paragraph) -> list[str]:
    """A DrawingML paragraph's lines: its runs' text, split where a line break (`a:br`) stands."""
    lines, line = [], []
    for child in paragraph:
        if child.tag == f"{_DRAWING}br":
            lines.append("".join(line))
            line = []
        else:
            line.extend(t.text or "" for t in child.iter(f"{_DRAWING}t"))
    lines.append("".join(line))
    return [text for text in (" ".join(line.split()) for line in lines) if text]
