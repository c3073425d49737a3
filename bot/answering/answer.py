"""Question -> grounded, streamed, sourced Answer. Slack-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Source:
    """A document an answer cites."""

    title: str
    path: str  # document id (path relative to its collection root), or a URL
    heading: str = ""
    collection: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Turn:
    """One earlier message in the conversation."""

    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    sources: list[Source]
    abstained: bool = False
    cached: bool = False
    language: str = "nl"
    timings: dict[str, float] = field(default_factory=dict)
