"""Fast stand-ins for the model and the index, for tests of the Slack layer's own behaviour.

`slack_generator()` is the shared ScriptedGenerator (tests/generators.py) set up as the Slack tests
use it. `FixedRetriever` returns the same passages for every question. Both go into the real
`AnswerEngine`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.answering.engine import AnswerEngine
from knowledge.models import Chunk, Hit
from tests.answering.builders import FoundHits
from tests.generators import ScriptedGenerator

DEFAULT_REPLY = "Je hebt **25 vakantiedagen** per jaar bij een volledige werkweek [1]."


def chunk(doc_id: str, title: str, text: str, heading: str = "") -> Chunk:
    return Chunk(id=f"bedrijf:{doc_id}#0", doc_id=doc_id, collection="bedrijf", title=title,
                 headings=(heading,) if heading else (), text=text, ordinal=0, content_hash="x")


SAMPLE_CHUNKS = [
    chunk("hr/vakantie-en-verlof.md", "Vakantie en verlof", "Iedereen heeft 25 vakantiedagen per jaar.",
          "Vakantiedagen"),
    chunk("hr/ziekmelding-en-verzuim.md", "Ziekmelding en verzuim", "Meld je voor 9 uur ziek."),
]


class FixedRetriever(FoundHits):
    """Always the same hits, filtered by collection like the real Retriever. The first passage also
    repeats the question, so the engine's abstain policy (lexical support) always finds it answered:
    these tests are about Slack, not about when to abstain."""

    def __init__(self, chunks: list[Chunk] | None = None) -> None:
        self.chunks = chunks if chunks is not None else SAMPLE_CHUNKS
        self.searches: list[tuple[str, list[str] | None]] = []

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        self.searches.append((question, collections))
        found = [c for c in self.chunks if collections is None or c.collection in collections]
        if found:
            found[0] = dataclasses.replace(found[0], text=f"{found[0].text} {question}")
        return [Hit(c, score=1.0 / (i + 1), rank=i + 1, relevance=0.9) for i, c in enumerate(found[:k])]


def slack_generator(reply: str = DEFAULT_REPLY) -> ScriptedGenerator:
    """The scripted model as the Slack tests use it: one reply, streamed 8 characters at a time."""
    return ScriptedGenerator(reply, piece_delay_s=0.002, piece_chars=8)


def scripted_engine(generator: ScriptedGenerator | None = None,
                    retriever: FixedRetriever | None = None) -> AnswerEngine:
    """The real AnswerEngine over the scripted model and the fixed passages."""
    return AnswerEngine(retriever or FixedRetriever(), generator or slack_generator(),
                        min_relevance=0.0, cache_size=0, max_tokens=64)


def question_of(messages: list[dict]) -> str:
    """The user's question in a prompt (the last user message's last line)."""
    user = [m["content"] for m in messages if m.get("role") == "user"]
    return user[-1].strip().splitlines()[-1] if user else ""


@contextmanager
def serving(services, *, start_timeout: float = 30, stop_timeout: float = 60) -> Iterator[None]:
    """Runs `vraagbaak serve` in a thread for the length of the block; it must start and stop cleanly."""
    from bot.slack.transport.serving import serve

    stop, ready = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            serve(services, stop=stop, ready=ready)
        except BaseException as exc:  # reported below
            errors.append(exc)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert ready.wait(start_timeout), errors
        yield
    finally:
        stop.set()
        thread.join(stop_timeout)
    assert not thread.is_alive() and not errors
