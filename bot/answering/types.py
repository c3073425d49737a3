"""What answering is about, Slack-free: the Answer with its Sources, the Turns of a conversation, the
Preview shown before the model writes, and the shape of a curated answer the engine serves. Stores
and the Slack layer import these, not the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urlsplit

from knowledge.versions import document_version, edition_day, newness
from language.dates import spoken_date

SLIDE_SUFFIXES = (".pptx", ".odp")  # their pages are slides ("dia 3")
VERSION_WORD = {"nl": "versie", "en": "version"}
# A day read from the document or its name says when it was written; a file's modification time
# (copied, checked out) rarely does: it is not shown beside a source.
SHOWN_DATED_BY = ("document", "name")
# The day the document gives itself, shown after the later day of its release folder or name: what a
# reader who opens the file sees in it ("bestand van": saved, created or sent, whichever it says).
OWN_DAY = {"nl": "bestand van {day}", "en": "file dated {day}"}
COPIES_NAMED = 3  # other files named beside a source (Slack, the command line); the rest are counted


def day_label(path: str, dated: str, dated_by: str, language: str, *, any_day: bool = False) -> str:
    """"1 januari 2025": the day a file counts from (knowledge/versions.py, edition_day); where that
    is the later day of its name or folder, the document's own day after it ("1 februari 2025,
    bestand van 16 augustus 2019"). "" when unknown, and for a file's modification time unless
    `any_day`."""
    if not dated or not (any_day or dated_by in SHOWN_DATED_BY):
        return ""
    day = edition_day(path, dated)
    if day is None:
        return ""
    shown = spoken_date(day, language)
    if day.isoformat() != dated[:10]:
        shown += ", " + OWN_DAY.get(language, OWN_DAY["en"]).format(day=spoken_date(dated, language))
    return shown


_COPIES = {"nl": ("ook in", "en nog {n}", "nog 1 ander bestand", "nog {n} andere bestanden"),
           "en": ("also in", "and {n} more", "1 other file", "{n} other files")}


def copies_text(named: list[str], more: int, language: str = "nl") -> str:
    """The other files that hold a source (Source.named_copies), in the answer's language: "ook in a,
    b en nog 2", or "ook in nog 1 ander bestand" when none is named."""
    also, and_more, one_other, others = _COPIES.get(language, _COPIES["en"])
    if not named:
        return f"{also} " + (one_other if more == 1 else others.format(n=more))
    return f"{also} " + ", ".join(named) + (" " + and_more.format(n=more) if more else "")


@dataclass(frozen=True)
class Source:
    """A document an answer cites."""

    title: str
    path: str  # document id (path relative to its collection root), or a URL
    heading: str = ""
    collection: str = ""
    url: str | None = None
    links: tuple[str, ...] = ()  # URLs written in the passage: the only ones an answer may link to
    page: int | None = None  # the page (or slide) the cited passage begins on
    copies: tuple[str, ...] = ()  # other paths in the collection with the same document
    dated: str = ""  # the document's day, ISO (knowledge.models.Document.dated); empty: unknown
    dated_by: str = ""  # where that day was read: "document", "name" or "modified"

    def __post_init__(self) -> None:
        object.__setattr__(self, "links", tuple(self.links))  # read back from JSON as a list
        object.__setattr__(self, "copies", tuple(self.copies))

    @property
    def page_label(self) -> str:
        """"p. 11", "dia 3" for a slide deck; "" without a page."""
        if self.page is None:
            return ""
        return f"dia {self.page}" if self.path.lower().endswith(SLIDE_SUFFIXES) else f"p. {self.page}"

    def edition(self, language: str = "nl", *, any_day: bool = False) -> str:
        """"versie 7.0, 1 januari 2025": the version its file name gives and the document's day
        (day_label), each when known ("" for neither)."""
        version = document_version(self.path).version
        parts = [f"{VERSION_WORD.get(language, 'versie')} {'.'.join(map(str, version))}"
                 if version and version[0] < 1900 else ""]  # a day in the name is no version number
        parts.append(day_label(self.path, self.dated, self.dated_by, language, any_day=any_day))
        return ", ".join(p for p in parts if p)

    def named_copies(self, limit: int = COPIES_NAMED) -> tuple[list[str], int]:
        """The other files that hold the source's passage, to name beside it: one per document (of
        several versions the newest, knowledge/versions.py), none of the source's own document (it
        is named), at most `limit`; and how many of the copies are left unnamed."""
        own = document_version(self.path).document
        newest: dict[str, str] = {}
        for path in self.copies:
            document = document_version(path).document
            if document != own and (document not in newest or newness(path) > newness(newest[document])):
                newest[document] = path
        named = list(newest.values())[:limit]
        return named, len(self.copies) - len(named)

    @property
    def link(self) -> str | None:
        """The source's URL, opening a PDF at the cited page (`#page=11`, as PDF viewers read it)."""
        if not self.url or self.page is None or not urlsplit(self.url).path.lower().endswith(".pdf"):
            return self.url
        return f"{self.url.split('#', 1)[0]}#page={self.page}"


@dataclass(frozen=True)
class Turn:
    """One earlier message in the conversation."""

    role: Literal["user", "assistant"]
    text: str


class CuratedMatch(Protocol):
    """A curated answer as the engine serves it (bot/curation/types.py's CuratedAnswer; named here by
    shape, because curation builds on these types)."""

    id: str
    answer: str
    sources: list[Source]
    decided_by: str
    created_at: str


class CuratedMatcher(Protocol):
    def match(self, question: str, *, collections: list[str] | None = None) -> CuratedMatch | None: ...


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    sources: list[Source]
    abstained: bool = False
    cached: bool = False
    language: str = "nl"
    timings: dict[str, float] = field(default_factory=dict)
    quoted: bool = False  # the model wrote nothing usable: the best passage is quoted instead
    stopped: str = ""  # "loop" or "echo": the guard stopped the model there (see guards.py)
    curated: CuratedMatch | None = None  # a curated answer ("vast antwoord"), served without the model


@dataclass(frozen=True)
class Preview:
    """What can be shown before the model's first token: the sentence(s) of the retrieved passages
    that answer the question best, quoted with the document they come from."""

    text: str
    source: Source
