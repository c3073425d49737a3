"""Test generators shared by the test packages: real implementations of the Generator protocol."""

from __future__ import annotations

import collections
import dataclasses
import re
import threading
import time
from typing import Callable

from bot.answering.generation import Generation, GenerationRequest

Reply = str | Callable[[GenerationRequest], str]


class ScriptedGenerator:
    """The Generator protocol with real `Generation` objects and one worker thread in FIFO order,
    like LlamaGenerator, writing scripted text and recording every request.

    Replies are used in order (the last one repeats); a reply is a text or a function of the
    request, and `enqueue()` adds one. Setting `reply` to a function of the messages answers every
    request with it instead. Text is emitted in word-sized pieces, or `piece_chars` characters each,
    `piece_delay_s` apart; a cancelled generation stops at the next piece, like the real model.
    `generations` holds every submitted Generation. `hold()` keeps the worker from starting the next
    request so that a queue builds up; `release()` lets it go on.
    """

    model_name = "scripted"

    def __init__(self, *replies: Reply, n_ctx: int = 4096, piece_delay_s: float = 0.0,
                 piece_chars: int = 0) -> None:
        self.replies: list[Reply] = list(replies)
        self.reply: Callable[[list[dict]], str] | None = None
        self.n_ctx = n_ctx
        self.piece_delay_s = piece_delay_s
        self.piece_chars = piece_chars
        self.requests: list[GenerationRequest] = []
        self.generations: list[Generation] = []
        self._waiting: collections.deque[Generation] = collections.deque()
        self._script_index: dict[int, int] = {}
        self._current: Generation | None = None
        self._open = threading.Event()
        self._open.set()
        self._changed = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._work, name="scripted-generator", daemon=True)
        self._worker.start()

    def enqueue(self, reply: Reply) -> None:
        self.replies.append(reply)

    # --- the Generator protocol ------------------------------------------------------------------
    def submit(self, request: GenerationRequest) -> Generation:
        generation = Generation(request, queue=self)
        with self._changed:
            self.requests.append(request)
            self.generations.append(generation)
            self._script_index[id(generation)] = len(self.requests)  # which scripted reply is its
            self._waiting.append(generation)
            self._changed.notify_all()
        generation.on_cancel(lambda: self._give_up(generation))
        return generation

    def _give_up(self, generation: Generation) -> None:
        """Like LlamaGenerator's queue: a cancelled request still waiting leaves the line at once."""
        with self._changed:
            if generation not in self._waiting:
                return
            self._waiting.remove(generation)
            self._changed.notify_all()
        generation.finish()

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

    # --- the worker ----------------------------------------------------------------------------------
    def _text(self, generation: Generation) -> str:
        request = generation.request
        if self.reply is not None:
            return self.reply(request.messages)
        if not self.replies:
            return ""
        reply = self.replies[min(self._script_index.pop(id(generation)), len(self.replies)) - 1]
        return reply(request) if callable(reply) else reply

    def _pieces(self, text: str) -> list[str]:
        if self.piece_chars:
            return [text[i:i + self.piece_chars] for i in range(0, len(text), self.piece_chars)]
        return re.findall(r"\s*\S+\s*|\s+", text)

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
                text = self._text(generation)
                written = ""
                for piece in self._pieces(text):
                    if generation.cancelled:
                        break
                    if self.piece_delay_s:
                        time.sleep(self.piece_delay_s)  # stands in for the model's decoding time
                    generation.emit(piece)
                    written += piece
                generation.stats.prompt_tokens = sum(len(m["content"].split()) for m in generation.request.messages)
                generation.stats.completion_tokens = len(written.split())
                generation.finish()
            except Exception as exc:  # the real worker also hands errors to the waiting reader
                generation.finish(exc)
            with self._changed:
                self._current = None
                self._changed.notify_all()


class RecordingGenerator:
    """A real generator, with every request it is given recorded (in submission order)."""

    def __init__(self, generator) -> None:
        self.generator = generator
        self.model_name, self.n_ctx = generator.model_name, generator.n_ctx
        self.requests: list[GenerationRequest] = []
        self._lock = threading.Lock()

    def submit(self, request: GenerationRequest) -> Generation:
        with self._lock:  # recorded and queued in one step, so the record has the queue's order
            self.requests.append(request)
            return self.generator.submit(request)

    def count_tokens(self, text: str) -> int:
        return self.generator.count_tokens(text)

    def queue_length(self) -> int:
        return self.generator.queue_length()

    def close(self) -> None:
        """The wrapped generator belongs to the test session."""


LONG_ROUND = "Bij een volledige werkweek van veertig uur heb je recht op vijfentwintig vakantiedagen per jaar."


class LongAnswers(RecordingGenerator):
    """A real generator whose first `count` requests (all when None) must write `rounds` times the same
    sentence (a grammar, up to `max_tokens`): a long answer whatever this CPU's kernels make of greedy
    text, for a stop to arrive in the middle of. Keeps every Generation it hands out."""

    def __init__(self, generator, *, rounds: int = 60, max_tokens: int = 2000, count: int | None = 1) -> None:
        super().__init__(generator)
        self.rounds, self.max_tokens, self.count = rounds, max_tokens, count
        self.schema = {"type": "array", "items": {"type": "string", "const": LONG_ROUND},
                       "minItems": rounds, "maxItems": rounds}
        self.generations: list[Generation] = []

    def submit(self, request: GenerationRequest) -> Generation:
        with self._lock:
            if self.count is None or len(self.generations) < self.count:
                request = dataclasses.replace(request, max_tokens=self.max_tokens, json_schema=self.schema,
                                              temperature=0.0, repeat_penalty=1.0)
            self.requests.append(request)
            generation = self.generator.submit(request)
            self.generations.append(generation)
            return generation
