"""Fast stand-ins for the model and the index, for tests of the Slack layer's own behaviour.

`ScriptedGenerator` implements the Generator protocol with the real `Generation` objects and one
worker thread in FIFO order, like LlamaGenerator, but writes scripted text; `hold()` keeps the
worker from starting so a queue builds up. `FixedRetriever` returns the same passages for every
question. Both go into the real `AnswerEngine`.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.answering.answer import AnswerEngine
from bot.answering.generation import Generation, GenerationRequest
from knowledge.models import Chunk, Hit

DEFAULT_REPLY = "Je hebt **25 vakantiedagen** per jaar bij een volledige werkweek [1]."


def chunk(doc_id: str, title: str, text: str, heading: str = "") -> Chunk:
    return Chunk(id=f"bedrijf:{doc_id}#0", doc_id=doc_id, collection="bedrijf", title=title,
                 headings=(heading,) if heading else (), text=text, ordinal=0, content_hash="x")


SAMPLE_CHUNKS = [
    chunk("hr/vakantie-en-verlof.md", "Vakantie en verlof", "Iedereen heeft 25 vakantiedagen.", "Vakantiedagen"),
    chunk("hr/ziekmelding-en-verzuim.md", "Ziekmelding en verzuim", "Meld je voor 9 uur ziek."),
]


class FixedRetriever:
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


class ScriptedGenerator:
    """One worker, FIFO, real Generation objects; `reply(messages)` decides what it writes."""

    model_name = "scripted-test-model"
    n_ctx = 4096

    def __init__(self, reply: Callable[[list[dict]], str] | None = None, *, piece_delay_s: float = 0.002,
                 piece_chars: int = 8) -> None:
        self.reply = reply or (lambda messages: DEFAULT_REPLY)
        self.piece_delay_s = piece_delay_s
        self.piece_chars = piece_chars
        self.requests: list[GenerationRequest] = []
        self._waiting: collections.deque[Generation] = collections.deque()
        self._current: Generation | None = None
        self._open = threading.Event()
        self._open.set()
        self._changed = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._work, name="scripted-generator", daemon=True)
        self._worker.start()

    # --- the Generator protocol ------------------------------------------------------------------
    def submit(self, request: GenerationRequest) -> Generation:
        generation = Generation(request, queue=self)  # type: ignore[arg-type]
        with self._changed:
            self.requests.append(request)
            self._waiting.append(generation)
            self._changed.notify_all()
        return generation

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def queue_length(self) -> int:
        with self._changed:
            return len(self._waiting) + (1 if self._current is not None else 0)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._open.set()

    # --- used by Generation.position() -------------------------------------------------------------
    def position(self, generation: Generation) -> int:
        with self._changed:
            if generation is self._current or generation not in self._waiting:
                return 0
            return self._waiting.index(generation) + (1 if self._current is not None else 0)

    # --- test controls -------------------------------------------------------------------------------
    def hold(self) -> None:
        """The worker finishes what it is writing, then waits until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"only {len(self.requests)} of {count} requests reached the model")

    def _work(self) -> None:
        while True:
            self._open.wait()
            with self._changed:
                self._changed.wait_for(lambda: self._waiting or self._closed)
                if self._closed:
                    return
                if not self._open.is_set():
                    continue
                self._current = self._waiting.popleft()
            generation = self._current
            try:
                text = self.reply(generation.request.messages)
                for i in range(0, len(text), self.piece_chars):
                    time.sleep(self.piece_delay_s)
                    generation.emit(text[i:i + self.piece_chars])
                generation.finish()
            except Exception as exc:  # the real worker also hands errors to the waiting reader
                generation.finish(exc)
            with self._changed:
                self._current = None
                self._changed.notify_all()


def scripted_engine(generator: ScriptedGenerator | None = None,
                    retriever: FixedRetriever | None = None) -> AnswerEngine:
    """The real AnswerEngine over the scripted model and the fixed passages."""
    return AnswerEngine(retriever or FixedRetriever(), generator or ScriptedGenerator(),
                        min_relevance=0.0, cache_size=0, max_tokens=64)


def question_of(messages: list[dict]) -> str:
    """The user's question in a prompt (the last user message's last line)."""
    user = [m["content"] for m in messages if m.get("role") == "user"]
    return user[-1].strip().splitlines()[-1] if user else ""


@contextmanager
def serving(services, *, start_timeout: float = 30, stop_timeout: float = 60) -> Iterator[None]:
    """Runs `vraagbaak serve` in a thread for the length of the block; it must start and stop cleanly."""
    from bot.slack.serving import serve

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
