"""Domain types of the knowledge base: Document, Chunk, Hit and the re-index report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Iterable

from language.tokens import words_of

# Who may read a document, as the keys the index stores next to each chunk (knowledge.sources.base
# builds them: "everyone", "user:anna@contoso.nl", "group:sharepoint/<id>"). A local folder's
# documents are readable by everyone; the collection rules of the bot apply on top.
EVERYONE_KEY = "everyone"
EVERYONE_READERS: tuple[str, ...] = (EVERYONE_KEY,)


@dataclass(frozen=True)
class Document:
    """One source file, read and normalised to text that keeps its headings (Markdown style)."""

    id: str  # path relative to the collection's root, POSIX separators: "hr/verlof.md"
    title: str  # first heading, else the file name without extension
    text: str
    modified: float  # mtime, seconds since the epoch
    content_hash: str  # sha256 of the file's bytes
    collection: str = "default"
    source_path: str = ""  # absolute path of the file when it was read
    problems: tuple[str, ...] = ()  # what of the file could not be read (Dutch): it is read in part
    copies: tuple[str, ...] = ()  # ids of the other files in the collection with the same bytes
    readers: tuple[str, ...] = EVERYONE_READERS  # principal keys, sorted
    url: str = ""  # opens the document where it lives (SharePoint, Nextcloud); empty for a local file
    dated: str = ""  # the document's day, ISO ("2025-01-01"); empty: unknown
    dated_by: str = ""  # where that day comes from: one of DATED_BY


# Where a document's day was read, most trusted first: its own metadata (knowledge/formats/reading.py),
# a day in its file or version folder name (knowledge/versions.py), the file's modification time.
DATED_BY = ("document", "name", "modified")


@dataclass(frozen=True)
class Chunk:
    """A passage small enough to embed, understandable on its own through its title and headings."""

    id: str  # f"{collection}:{doc_id}#{ordinal}"
    doc_id: str
    collection: str
    title: str
    headings: tuple[str, ...]
    text: str
    ordinal: int
    content_hash: str  # of the whole document, so a document's chunks change together
    source_path: str = ""
    page: int | None = None  # the page (or slide) the passage begins on, in a paged format
    copies: tuple[str, ...] = ()  # the other doc ids with the same content (indexed once, under doc_id), or
    # on a hit: the other files holding the same passage (knowledge/versions.py one_passage_once)
    readers: tuple[str, ...] = EVERYONE_READERS  # the document's readers (principal keys)
    url: str = ""
    dated: str = ""  # the document's day, ISO; empty in an index from before days were kept
    dated_by: str = ""  # one of DATED_BY

    @property
    def heading_path(self) -> str:
        return " > ".join(self.headings)

    @property
    def embedding_text(self) -> str:
        """What is embedded: title and heading path give the passage context."""
        context = " > ".join((self.title, *[h for h in self.headings if h != self.title]))
        return f"{context}\n{self.text}"

    @property
    def search_text(self) -> str:
        """What is full-text indexed: the embedded text, led by the file's name where the title does
        not say it (`named_context`)."""
        return named_context(self.doc_id, self.title, self.embedding_text)

    @property
    def name_text(self) -> str:
        """What names the passage, full-text indexed on its own (knowledge/query.py, NAME_WEIGHT): the
        document's name (its file's, or its folder's for an index page), its title and the headings
        above the passage, each word once: a question in the words of a page's name finds that page
        before passages that merely repeat them."""
        words = [word for part in (document_name(self.doc_id), self.title, *self.headings) for word in words_of(part)]
        return " ".join(dict.fromkeys(words))


# A folder's index page or read-me is named by its folder ("docs/haven/index.md" is about Haven).
_FOLDER_PAGES = frozenset({"index", "readme"})
_WORD = re.compile(r"[^\W\d_]+")
_SEPARATORS = re.compile(r"[-_–]+")


def document_name(doc_id: str) -> str:
    """What the file's name calls the document: "Toelichting Tekstblok Registergoed 2.8.2 v2.16"."""
    path = PurePosixPath(doc_id)
    name = path.parent.name if path.stem.lower() in _FOLDER_PAGES and path.parent.name else path.stem
    return " ".join(_SEPARATORS.sub(" ", name).split())


def names_the_document(doc_id: str, title: str, phrases: "Iterable[tuple[str, ...]]") -> bool:
    """Whether one of the phrases (their words, words_of) is, word for word and in a row, in the name
    of one of the document's folders, its file's name or its title: a question that quotes
    "rechtspersoon niet juist aangepast" names ".../AA-2736 - TB Rechtspersoon niet juist
    aangepast/Rechtspersoon.pdf"."""
    path = PurePosixPath(doc_id)
    names = [words_of(name) for name in (*path.parent.parts, path.stem, title)]
    return any(_in_a_row(phrase, name) for phrase in phrases for name in names)


def _in_a_row(phrase: tuple[str, ...], words: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))


def named_context(doc_id: str, title: str, text: str) -> str:
    """`text` led by the file's name when the title shares no word with it: a Word document's first
    heading is often its first chapter ("Inleiding") and each of a series of release notes is titled
    "Release notes"; then only the file's name says which document a passage is from
    ("Releasenotes ING 20260601000004 1 > Inleiding > ...")."""
    name = document_name(doc_id)
    name_words = set(_WORD.findall(name.lower()))
    if name_words and name_words.isdisjoint(_WORD.findall(title.lower())):
        return f"{name} > {text}"
    return text


@dataclass(frozen=True)
class Hit:
    """A chunk found for a question: score is higher-is-better within one search mode."""

    chunk: Chunk
    score: float  # the search mode's own score (RRF, BM25 or cosine): orders hits, is not calibrated
    rank: int  # 1-based
    relevance: float = 0.0  # cosine similarity of question and chunk, comparable across modes


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class IndexReport:
    """What one re-index did, per collection or in total."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    partly_read: list[SkippedFile] = field(default_factory=list)  # indexed, but a part could not be read
    not_read: dict[str, int] = field(default_factory=dict)  # unsupported files per extension
    chunks_embedded: int = 0
    duration_s: float = 0.0
    started_at: str = ""  # ISO 8601, UTC
    collections: list[str] = field(default_factory=list)
    full_rebuild: bool = False

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)
