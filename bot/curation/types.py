"""A curated answer ("vast antwoord"): an answer decided by a person, with the sources it stands on and
the day it was decided, and why it cannot be added or changed (CuratedError)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from bot.answering.types import Source
from bot.errors import VraagbaakError
from language.words import DUTCH_MONTHS

Status = Literal["active", "suspended"]


def dutch_date(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{moment.day} {DUTCH_MONTHS[moment.month - 1]} {moment.year}"


class CuratedError(VraagbaakError):
    """A curated answer cannot be added or changed as asked (Dutch message)."""


@dataclass(frozen=True)
class CuratedAnswer:
    """An answer decided by a person, with the sources it stands on."""

    id: str
    question: str
    answer: str
    sources: list[Source]
    owner: str  # Slack user id of the admin or collection owner who decided it (gets the DM)
    collection: str | None
    created_at: str  # ISO 8601, UTC
    decided_by: str = ""  # how to name who decided it ("Eva de Vries"); the owner id when unknown
    status: Status = "active"
    suspended_reason: str = ""
    source_fingerprints: dict[str, str] = field(default_factory=dict)  # source key -> content hash
    suspended_at: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def collections(self) -> frozenset[str]:
        """Every collection this answer draws on: where it may be served, all of them must be searchable."""
        names = {s.collection for s in self.sources if s.collection}
        if self.collection:
            names.add(self.collection)
        return frozenset(names)

    def decided_on(self) -> str:
        """The day it was decided, as "1 december 2026"."""
        return dutch_date(self.created_at)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sources"] = [asdict(s) for s in self.sources]
        return data


def source_key(source: Source) -> str:
    """How a source is named in `source_fingerprints`: "collection:doc id"."""
    return f"{source.collection}:{source.path}"
