"""What every source of documents gives: its documents with their readers, what changed since a
stored cursor, the content of one document on demand, and who is in a group.

A source never stores anything itself. `sync(cursor)` returns the changes together with the next
cursor; the caller stores that cursor only after it has applied the changes, so a run that fails
half-way is repeated from the old cursor and nothing is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, Protocol

from knowledge.errors import DocumentError, KnowledgeError
from knowledge.file_limits import FileLimits, check_file_size
from knowledge.models import SkippedFile

PrincipalKind = Literal["everyone", "user", "group", "collection"]


@dataclass(frozen=True, order=True)
class Principal:
    """Someone who may read a document.

    - ``everyone``: everyone in the organisation;
    - ``user``: one person, by e-mail address (lower case), the key Slack's users.info also gives;
    - ``group``: a group of the source named in `source` (an Entra ID group id, a Nextcloud group);
      its members come from that source's `members()`;
    - ``collection``: whoever the bot's rules grant this (restricted) collection.
    """

    kind: PrincipalKind
    id: str = ""
    source: str = ""

    @property
    def key(self) -> str:
        """One string per principal, for storing next to each chunk and filtering on it."""
        if self.kind == "everyone":
            return "everyone"
        if self.kind == "group":
            return f"group:{self.source}/{self.id}"
        return f"{self.kind}:{self.id}"

    @classmethod
    def from_key(cls, key: str) -> "Principal":
        if key == "everyone":
            return EVERYONE
        kind, _, rest = key.partition(":")
        if kind == "group":
            source, _, group = rest.partition("/")
            return cls("group", group, source)
        if kind in ("user", "collection") and rest:
            return cls(kind, rest)  # type: ignore[arg-type]
        raise ValueError(f"not a principal: {key!r}")


EVERYONE = Principal("everyone")


def user(email: str) -> Principal:
    return Principal("user", email.strip().lower())


def group(source: str, group_id: str) -> Principal:
    return Principal("group", group_id, source)


def collection(name: str) -> Principal:
    return Principal("collection", name)


@dataclass(frozen=True)
class SourceDocument:
    """One document as its source lists it; the content is fetched separately (`Source.fetch`)."""

    id: str  # stable within the source, also across renames where the source allows it
    path: str  # where it is, for people: "Documenten/hr/verlof.docx"
    url: str  # opens the document in the browser (or the file)
    version: str  # changes when the content changes (cTag, ETag, mtime and size)
    modified: float  # seconds since the epoch
    readers: frozenset[Principal]
    size: int | None = None
    problem: str | None = None  # why its content cannot be had (Dutch), known without fetching

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        return suffix_of(self.name)


@dataclass(frozen=True)
class Renamed:
    """A document with the same content at another path (its readers may have changed too)."""

    document: SourceDocument
    previous_path: str


@dataclass
class SyncResult:
    """What changed since the cursor that was handed in; `cursor` is the one to store afterwards."""

    cursor: str
    added: list[SourceDocument] = field(default_factory=list)
    changed: list[SourceDocument] = field(default_factory=list)  # content changed: fetch again
    renamed: list[Renamed] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # ids
    unchanged: int = 0
    not_read: dict[str, int] = field(default_factory=dict)  # unsupported files per extension
    skipped: list[SkippedFile] = field(default_factory=list)  # seen but not listed (with the reason)

    @property
    def to_fetch(self) -> list[SourceDocument]:
        return self.added + self.changed


class Source(Protocol):
    """A place documents live. One module per kind (folder, Graph, WebDAV, Nextcloud)."""

    name: str  # the configured name; group principals carry it
    kind: str  # "folder", "graph", "webdav", "nextcloud": a cursor belongs to one kind

    def sync(self, cursor: str | None) -> SyncResult:
        """Everything (cursor None) or what changed since `cursor`; raises SourceError."""
        ...

    def fetch(self, document: SourceDocument) -> bytes:
        """The document's bytes; raises DocumentError when this one cannot be read."""
        ...

    def refresh_readers(self, cursor: str) -> dict[str, frozenset[Principal]]:
        """The readers of every document the cursor knows, read again without any content."""
        ...

    def members(self, group: Principal) -> frozenset[str]:
        """The e-mail addresses (lower case) of the people in one of this source's groups."""
        ...

    def check(self) -> None:
        """Credentials and reachability, for `doctor`; raises SourceError with a Dutch reason."""
        ...

    def close(self) -> None:
        ...


class SourceError(KnowledgeError):
    """A source could not be read as a whole (unreachable, throttled too long, refused)."""


class SourceAuthError(SourceError):
    """The source refused the configured credentials."""


def suffix_of(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


def is_ignored_name(path: str) -> bool:
    """Hidden files and folders and Office lock files (~$…), as for local folders."""
    parts = [part for part in path.split("/") if part]
    return any(part.startswith(".") for part in parts) or bool(parts and parts[-1].startswith("~$"))


def size_problem(size: int | None, limits: FileLimits) -> str | None:
    """Why a file of this size is not read (Dutch, as for a local file), known before fetching it."""
    try:
        if size is not None:
            check_file_size(int(size), limits)
    except DocumentError as exc:
        return str(exc)
    return None


def dump_cursor(kind: str, state: dict) -> str:
    return json.dumps({"kind": kind, **state}, separators=(",", ":"), sort_keys=True)


def load_cursor(kind: str, cursor: str | None) -> dict | None:
    """The state in a cursor of this kind of source; None for no cursor. A cursor of another kind
    or one that cannot be read raises SourceError, so no run starts from a wrong state."""
    if cursor is None:
        return None
    try:
        state = json.loads(cursor)
    except ValueError as exc:
        raise SourceError("De opgeslagen synchronisatiestand is beschadigd; synchroniseer opnieuw "
                          "vanaf het begin.") from exc
    if not isinstance(state, dict) or state.get("kind") != kind:
        raise SourceError(f"De opgeslagen synchronisatiestand hoort niet bij een bron van het type {kind}.")
    return state
