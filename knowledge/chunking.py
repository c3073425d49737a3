"""Document -> Chunks: split by headings, merge tiny sections, split long ones at paragraph and
sentence boundaries, all measured in tokens of the embedding model.

The budget covers what is embedded (``Chunk.embedding_text``: title, heading path and text), so a
chunk never loses its tail to the model's truncation when ``max_tokens`` <= its max_seq_length.
Page and slide marks (knowledge/formats/pages.py) are taken out of the text: each chunk keeps the
page it begins on, and a slide is never joined with the slide before it. A spreadsheet tab's rows
(after a rows mark) are cut into passages of whole rows of at most ``ROW_PASSAGE_TOKENS``, joined
with no other section: a question about one budget line then meets a few rows, not a whole sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from knowledge.formats.pages import ROWS_MARK, read_mark
from knowledge.models import Chunk, Document
from language.sentences import split_sentences

# A budget or ledger row is about 25-60 tokens, so a passage holds a handful of rows. Chosen among
# 64-350 on the corpora with spreadsheets, leave-one-corpus-out (bench/README.md, "Spreadsheet rows").
ROW_PASSAGE_TOKENS = 192

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Section:
    """The text under one heading path (without the heading lines themselves)."""

    headings: tuple[str, ...]
    text: str
    tokens: int = 0


def parse_sections(text: str) -> list[Section]:
    """Splits Markdown-style text at `#` headings (not inside code fences)."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []
    in_fence = False

    def close() -> None:
        content = "\n".join(body).strip()
        if content:
            sections.append(Section(tuple(h for _, h in stack), content))
        body.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            marks = _trailing_marks(body)  # a page that begins with a heading: its mark goes with it
            close()
            body.extend(marks)
            level = len(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, match.group(2).strip()))
        else:
            body.append(line)
    close()
    return sections


def _trailing_marks(body: list[str]) -> list[str]:
    """Takes the page marks (and blank lines) at the end of `body` off it; returns the marks."""
    marks: list[str] = []
    while body and (not body[-1].strip() or read_mark(body[-1]) is not None):
        line = body.pop()
        if line.strip():
            marks.insert(0, line)
    return marks


def _page_of(text: str, current: int | None) -> tuple[int | None, int | None, str]:
    """(the page `text` begins on, the page in force after it, `text` without marks), given the
    page in force before it. Text before the first mark of a piece belongs to the page before."""
    lines: list[str] = []
    begins: int | None = None
    seen_text = False
    for line in text.split("\n"):
        mark = read_mark(line)
        if mark is None:
            lines.append(line)
            seen_text = seen_text or bool(line.strip())
            continue
        number = mark[1]
        if begins is None:
            begins = (current if current is not None else max(number - 1, 1)) if seen_text else number
        current = number
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return (begins if begins is not None else current), current, body


class Chunker:
    """Heading-aware, token-budgeted splitter."""

    def __init__(self, count_tokens: Callable[[str], int], *, max_tokens: int = 350,
                 overlap_tokens: int = 40, min_tokens: int | None = None,
                 row_tokens: int = ROW_PASSAGE_TOKENS) -> None:
        if max_tokens < 32:
            raise ValueError("max_tokens must be at least 32")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = max(0, min(overlap_tokens, max_tokens // 3))
        self.min_tokens = max_tokens // 4 if min_tokens is None else min_tokens
        self.row_tokens = max(32, min(row_tokens, max_tokens))

    def split(self, doc: Document) -> list[Chunk]:
        sections = parse_sections(doc.text)
        for section in sections:
            section.tokens = self.count_tokens(section.text)
        pieces: list[tuple[tuple[str, ...], str]] = []
        for group in self._merge_tiny(sections):
            budget = self._text_budget(doc.title, group.headings)
            if _is_rows(group.text):
                rows = group.text.split("\n", 1)[1] if "\n" in group.text else ""
                pieces.extend((group.headings, text) for text in self._split_rows(rows, budget))
            elif group.tokens <= budget:
                pieces.append((group.headings, group.text))
            else:
                pieces.extend((group.headings, text) for text in self._split_long(group.text, budget))
        located: list[tuple[tuple[str, ...], str, int | None]] = []
        current: int | None = None
        for headings, text in pieces:
            page, current, text = _page_of(text, current)
            if text:
                located.append((headings, text, page))
        return [
            Chunk(id=f"{doc.collection}:{doc.id}#{i}", doc_id=doc.id, collection=doc.collection,
                  title=doc.title, headings=headings, text=text, ordinal=i,
                  content_hash=doc.content_hash, source_path=doc.source_path, page=page, copies=doc.copies,
                  readers=doc.readers, url=doc.url, dated=doc.dated, dated_by=doc.dated_by)
            for i, (headings, text, page) in enumerate(located)
        ]

    def _text_budget(self, title: str, headings: tuple[str, ...]) -> int:
        context = " > ".join((title, *[h for h in headings if h != title]))
        return max(self.max_tokens // 2, self.max_tokens - self.count_tokens(context) - 2)

    # --- merging -----------------------------------------------------------------------------------

    def _merge_tiny(self, sections: list[Section]) -> list[Section]:
        """Joins a tiny section with its following siblings/children while the result fits."""
        groups: list[Section] = []
        for section in sections:
            last = groups[-1] if groups else None
            if last is not None and self._may_merge(last, section):
                groups[-1] = self._join(last, section)
            else:
                groups.append(Section(section.headings, section.text, section.tokens))
        return groups

    def _may_merge(self, group: Section, nxt: Section) -> bool:
        if group.tokens >= self.min_tokens and nxt.tokens >= self.min_tokens:
            return False
        if (mark := read_mark(nxt.text.split("\n", 1)[0])) is not None and mark[0] == "slide":
            return False
        if _is_rows(group.text) or _is_rows(nxt.text):
            return False
        if group.tokens + nxt.tokens + 8 > self.max_tokens - 24:
            return False
        parent = group.headings[:-1] if group.headings else ()
        return nxt.headings[: len(parent)] == parent and len(nxt.headings) >= len(parent)

    def _join(self, group: Section, nxt: Section) -> Section:
        common = _common_prefix(group.headings, nxt.headings)
        parts = [_with_heading_lines(group.headings, common, group.text),
                 _with_heading_lines(nxt.headings, common, nxt.text)]
        text = "\n\n".join(parts)
        return Section(common, text, group.tokens + nxt.tokens + self.count_tokens(
            "\n".join(nxt.headings[len(common):] + group.headings[len(common):])))

    # --- splitting ---------------------------------------------------------------------------------

    def _split_rows(self, text: str, budget: int) -> list[str]:
        """Whole row lines packed up to the row budget, no overlap (each row names its own columns);
        a longer row is a passage of its own, cut only where it exceeds the text budget."""
        rows_budget = min(budget, self.row_tokens)
        chunks: list[str] = []
        current: list[str] = []
        size = 0
        for line in (ln for ln in text.split("\n") if ln.strip()):
            for part in self._fit(line, budget):
                tokens = self.count_tokens(part)
                if current and size + tokens > rows_budget:
                    chunks.append("\n".join(current))
                    current, size = [], 0
                current.append(part)
                size += tokens
        if current:
            chunks.append("\n".join(current))
        return chunks

    def _split_long(self, text: str, budget: int) -> list[str]:
        units = self._units(text, budget)
        chunks: list[str] = []
        current: list[tuple[str, int, str]] = []  # (text, tokens, separator before it)
        size = 0
        for unit, tokens, sep in units:
            if current and size + tokens > budget:
                chunks.append(_render(current))
                current = self._overlap(current, budget - tokens)
                size = sum(t for _, t, _ in current)
            current.append((unit, tokens, sep))
            size += tokens
        if current:
            chunks.append(_render(current))
        return chunks

    def _units(self, text: str, budget: int) -> list[tuple[str, int, str]]:
        """Paragraphs, or for a too long paragraph its lines, sentences and finally word runs."""
        units: list[tuple[str, int, str]] = []
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            tokens = self.count_tokens(paragraph)
            if tokens <= budget:
                units.append((paragraph, tokens, "\n\n"))
                continue
            first = True
            for piece, sep in self._pieces(paragraph):
                for part in self._fit(piece, budget):
                    units.append((part, self.count_tokens(part), "\n\n" if first else sep))
                    first = False
        return units

    @staticmethod
    def _pieces(paragraph: str) -> list[tuple[str, str]]:
        lines = [ln for ln in paragraph.split("\n") if ln.strip()]
        if len(lines) > 1:
            return [(ln, "\n") for ln in lines]
        return [(s, " ") for s in split_sentences(paragraph, at_clauses=True)]

    def _fit(self, piece: str, budget: int) -> list[str]:
        """A line or sentence that alone exceeds the budget is cut into word runs."""
        if self.count_tokens(piece) <= budget:
            return [piece]
        if "\n" not in piece:
            sentences = split_sentences(piece, at_clauses=True)
            if len(sentences) > 1:
                return [part for s in sentences for part in self._fit(s, budget)]
        return self._word_runs(piece.split(), budget)

    def _word_runs(self, words: list[str], budget: int) -> list[str]:
        """Consecutive words joined while they fit the budget, in one pass: each distinct word is
        counted once and a run grows by a running sum, so a megabyte without a sentence break is
        linear work (re-counting the growing run after every word was quadratic). The sum can
        differ from the count of the joined run (a tokenizer may merge across a space), so each
        finished run is counted once more and, if over, given back word by word."""
        word_tokens: dict[str, int] = {}
        parts: list[str] = []
        run: list[str] = []
        size = 0
        for word in words:
            tokens = word_tokens.get(word)
            if tokens is None:
                tokens = word_tokens[word] = self.count_tokens(word)
            if run and size + tokens > budget:
                parts.extend(self._checked(run, budget))
                run, size = [], 0
            run.append(word)
            size += tokens
        if run:
            parts.extend(self._checked(run, budget))
        return parts

    def _checked(self, run: list[str], budget: int) -> list[str]:
        """The run as one part when its real count fits; else its longest fitting head, then the rest."""
        parts: list[str] = []
        while run:
            end = len(run)
            while end > 1 and self.count_tokens(" ".join(run[:end])) > budget:
                end -= 1
            parts.append(" ".join(run[:end]))
            run = run[end:]
        return parts

    def _overlap(self, current: list[tuple[str, int, str]], room: int) -> list[tuple[str, int, str]]:
        """The tail of the previous chunk (whole units, at most overlap_tokens) starts the next."""
        limit = min(self.overlap_tokens, room)
        tail: list[tuple[str, int, str]] = []
        size = 0
        for unit in reversed(current):
            if size + unit[1] > limit:
                break
            tail.insert(0, unit)
            size += unit[1]
        return tail


def _is_rows(text: str) -> bool:
    return text.split("\n", 1)[0].strip() == ROWS_MARK


def _render(units: list[tuple[str, int, str]]) -> str:
    text = ""
    for i, (unit, _, sep) in enumerate(units):
        text += unit if i == 0 else sep + unit
    return text.strip()


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _with_heading_lines(headings: tuple[str, ...], common: tuple[str, ...], text: str) -> str:
    lines = ["#" * min(level + 1, 6) + " " + h
             for level, h in enumerate(headings) if level >= len(common)]
    return "\n".join([*lines, text])
