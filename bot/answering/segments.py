"""Retrieved passages cut into segments: the hits of one section (same document and heading path)
merged, their text split into sentences, list items, table rows and code blocks (never cut inside
one), boilerplate markup removed, and what each segment cannot be read without (the sentence a
"Dit …" leans on, a list's lead-in, a table's header row). selection.py scores and chooses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from language.sentences import split_sentences
from language.tokens import words_of
from language.words import REFERRING_WORDS

if TYPE_CHECKING:
    from knowledge.models import Hit

_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELLS = re.compile(r"\s+\|\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")  # "[a]( /b)" is a link too
_EMPHASIS = re.compile(r"\*\*|__")
_TAG = re.compile(r"</?[a-zA-Z][^>]{0,80}>")
_SPACES = re.compile(r"[ \t]+")


@dataclass
class Segment:
    """One piece of a section's text that is kept or dropped whole."""

    kind: str  # "sentence", "item", "row", "code" or "heading"
    text: str  # as shown: boilerplate markup removed
    block: int  # the paragraph, list or table it belongs to (sentences of one block join with a space)
    needs: tuple[int, ...] = ()  # positions (in the section) of the segments it cannot be read without
    followers: tuple[int, ...] = ()  # a list's lead-in: the items it announces
    tokens: int = 0
    lexical: float = 0.0
    own: float = 0.0  # the part of `lexical` from the segment's own words (a quote must hold them itself)
    semantic: float = 0.0
    score: float = 0.0


@dataclass
class Section:
    hit: "Hit"  # the best-ranked hit of the section: the excerpt's source
    segments: list[Segment] = field(default_factory=list)
    header_tokens: int = 0


def sections_of(hits: Sequence["Hit"]) -> list[Section]:
    """One section per document and heading path, in the order of its best hit; its chunks in the
    document's order; a segment shown before (overlap, repeated boilerplate) is not repeated."""
    groups: dict[tuple, list["Hit"]] = {}
    for hit in hits:
        chunk = hit.chunk
        groups.setdefault((chunk.collection, chunk.doc_id, chunk.headings), []).append(hit)
    seen: set[str] = set()
    sections = []
    for group in groups.values():
        chunks = sorted({h.chunk.id: h.chunk for h in group}.values(), key=lambda c: c.ordinal)
        chunk = group[0].chunk
        skip = {_key(chunk.title), *(_key(h) for h in chunk.headings)}
        section = Section(group[0])
        shown = skip | seen
        for c in chunks:
            _append_segments(section.segments, c.text, shown)
        seen.update(_key(s.text) for s in section.segments if s.kind != "heading")
        if any(s.kind != "heading" for s in section.segments):
            sections.append(section)
    return sections


def _append_segments(out: list[Segment], text: str, skip: set[str]) -> None:
    """Splits a chunk's text into segments (appended to `out`, after the section's earlier chunks)."""
    block = (out[-1].block + 1) if out else 0
    lines = text.splitlines()
    heading: int | None = None  # the last heading line inside the text, for what follows it
    lead_in: int | None = None  # a sentence ending in ":" right before a list or table
    table_header: int | None = None
    items: list[int] = []  # item positions by indentation depth, for nested items
    paragraph: list[str] = []
    i = 0

    def add(kind: str, content: str, needs: tuple[int, ...] = ()) -> int | None:
        content = content.strip() if kind != "code" else content.rstrip()
        key = _key(content)
        if not key or key in skip or (kind == "sentence" and _one_word(content)):
            return None
        skip.add(key)
        base = () if heading is None or kind == "heading" else (heading,)
        out.append(Segment(kind, content, block, tuple(n for n in (*needs, *base) if n is not None)))
        return len(out) - 1

    def close_paragraph() -> None:
        nonlocal block, lead_in
        if not paragraph:
            return
        previous: int | None = None
        text = _clean(" ".join(paragraph))
        paragraph.clear()
        for sentence in split_sentences(text):
            referring = previous is not None and _first_word(sentence) in REFERRING_WORDS
            position = add("sentence", sentence, (previous,) if referring else ())
            previous = position if position is not None else previous
        lead_in = previous if previous is not None and out[previous].text.endswith(":") else None
        block += 1

    def add_table_line(line: str, *, header: bool) -> None:
        """A table's header row (it leans on the lead-in) or one of its rows (on the header); a
        header alone says nothing: its rows follow it."""
        nonlocal table_header
        if header:
            table_header = add("row", _clean(line), (lead_in,))
            _announce(out, lead_in, table_header)
        else:
            row = add("row", _clean(line), (table_header,))
            _announce(out, lead_in, row)
            _announce(out, table_header, row)

    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            close_paragraph()
            end = next((j for j in range(i + 1, len(lines)) if _FENCE.match(lines[j])), len(lines) - 1)
            add("code", "\n".join(lines[i:end + 1]), (lead_in,))
            block += 1
            lead_in = None
            i = end + 1
            continue
        if not line.strip():
            close_paragraph()
            items.clear()
            table_header = None
        elif _HEADING.match(line) and not _LIST_ITEM.match(line):
            close_paragraph()
            heading = add("heading", _clean(_HEADING.sub("", line)))
            lead_in = None
        elif _TABLE_ROW.match(line):
            close_paragraph()
            if not _TABLE_RULE.match(line):  # the |---| line: the header row says enough
                add_table_line(line, header=table_header is None)
        elif (columns := _is_named_row(following := lines[i + 1] if i + 1 < len(lines) else "", line)) or (
                table_header is not None and _is_named_row(line, out[table_header].text)) or (
                _pairs(line) and (_pairs(following) or (out and is_named_row(out[-1])))):
            # An office table as the readers write it (knowledge/formats/tables.py): an "a | b" header
            # line, then a row per line as "a: x; b: y". A row is one segment, as in a Markdown table.
            close_paragraph()
            add_table_line(line, header=bool(columns))
        elif (match := _LIST_ITEM.match(line)) or (items and line.startswith((" ", "\t"))):
            if match:
                close_paragraph()
                depth = len(match.group(1).expandtabs(4)) // 2
                content = _HEADING.sub("", line[match.end():])
                parent = items[depth - 1] if 0 < depth <= len(items) else lead_in
                position = add("item", _clean(line[: match.end()].strip() + " " + content), (parent,))
                del items[depth:]
                if position is not None:
                    items.append(position)
                    _announce(out, lead_in if depth == 0 else None, position)
            elif items:  # a continuation line of the last item
                last = out[items[-1]]
                last.text = f"{last.text} {_clean(line)}".strip()
        else:
            if items and not paragraph:
                items.clear()
                lead_in = None
                block += 1
            paragraph.append(line.strip())
        i += 1
    close_paragraph()


def _is_named_row(line: str, header: str) -> bool:
    """Whether `line` is a row under an office table's `header` ("a | b") as tables.py writes it,
    "a: x; b: y", its first pair named after a column (a row's empty cells are left out)."""
    if " | " not in header or header.lstrip().startswith("|") or line.lstrip().startswith("|"):
        return False
    first = line.split("; ", 1)[0]
    name, colon, _ = first.partition(": ")
    return bool(colon) and name.strip() in {cell.strip() for cell in _CELLS.split(header.strip())}


def _pairs(line: str) -> bool:
    """A row of such a table whose header is in an earlier passage: two or more "a: x" pairs."""
    parts = line.strip().split("; ")
    return len(parts) >= 2 and not line.lstrip().startswith(("|", "-", "*")) and all(
        0 < part.find(": ") <= 60 for part in parts)


def is_named_row(segment: Segment) -> bool:
    """A row of an office table, already as "column: value" pairs (a Markdown row is "|x|y|")."""
    return segment.kind == "row" and not segment.text.startswith("|") and ": " in segment.text  # not its header


def _announce(out: list[Segment], lead_in: int | None, position: int | None) -> None:
    if lead_in is not None and position is not None:
        out[lead_in].followers = (*out[lead_in].followers, position)


def _clean(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) if not m.group(2).lower().startswith(("http://", "https://"))
                     or m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    text = _TAG.sub("", _EMPHASIS.sub("", text))
    return _SPACES.sub(" ", text).strip()


def render(segments: list[Segment], positions: set[int]) -> str:
    """The kept segments in the document's order: sentences of one paragraph on one line, a list or
    table a line per item or row, and "…" where something was left out."""
    lines: list[str] = []
    last: int | None = None
    for i in sorted(positions):
        segment = segments[i]
        gap = last is not None and any(segments[j].kind != "heading" for j in range(last + 1, i))
        if last is not None and segments[last].block == segment.block and segment.kind == "sentence" \
                and segments[last].kind == "sentence":
            lines[-1] += (" … " if gap else " ") + segment.text
        else:
            if gap:
                lines.append("…")
            lines.append(segment.text)
        last = i
    return "\n".join(lines)


def with_needs(segments: list[Segment], position: int) -> set[int]:
    """The segment and, transitively, what it cannot be read without."""
    result, todo = set(), [position]
    while todo:
        i = todo.pop()
        if i not in result:
            result.add(i)
            todo.extend(segments[i].needs)
    return result


def _key(text: str) -> str:
    return " ".join(words_of(text))


def _first_word(text: str) -> str:
    words = words_of(text[:40])
    return words[0] if words else ""


def _one_word(text: str) -> bool:
    words = words_of(text)
    return len(words) <= 1 and not any(ch.isdigit() for ch in text)
