"""Test generators shared by the test packages: real implementations of the Generator protocol."""

from __future__ import annotations

import re
import threading
from typing import Callable

from bot.answering.generation import Generation, GenerationRequest

Reply = str | Callable[[GenerationRequest], str]


class ScriptedGenerator:
    """Answers with scripted replies, in order (the last one repeats), and records every request.

    A reply is a text or a function of the request; `enqueue()` adds one. The text is emitted in
    word-sized pieces, as a streaming model would.
    """

    model_name = "scripted"

    def __init__(self, *replies: Reply, n_ctx: int = 4096) -> None:
        self.replies: list[Reply] = list(replies)
        self.n_ctx = n_ctx
        self.requests: list[GenerationRequest] = []

    def enqueue(self, reply: Reply) -> None:
        self.replies.append(reply)

    def submit(self, request: GenerationRequest) -> Generation:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1] if self.replies else ""
        text = reply(request) if callable(reply) else reply
        generation = Generation(request)
        for piece in re.findall(r"\s*\S+\s*|\s+", text):
            generation.emit(piece)
        generation.stats.prompt_tokens = sum(len(m["content"].split()) for m in request.messages)
        generation.stats.completion_tokens = len(text.split())
        generation.finish()
        return generation

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def queue_length(self) -> int:
        return 0

    def close(self) -> None:
        pass


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
