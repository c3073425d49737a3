"""What a generator is asked and what it gives back, shared by every backend (the local GGUF model in
llm.py, an OpenAI-compatible server in openai_backend.py) and by those that ask (answers, templates).

A `Generation` is handed out at `submit()`: it knows its place in the queue and streams the text
deltas that the backend's producer `emit()`s, until it `finish()`es.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol, runtime_checkable

from bot.errors import ModelError

log = logging.getLogger(__name__)


CHAT_OVERHEAD_TOKENS = 40  # role markers and special tokens a chat template adds around the messages


class GenerationError(ModelError):
    """A generation could not be made (prompt too long, model failure, generator closed)."""


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate: chat messages (roles system/user/assistant) and sampling parameters."""

    messages: list[dict]
    max_tokens: int
    temperature: float = 0.2
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    json_schema: dict | None = None
    stop: tuple[str, ...] = ()
    background: bool = False  # the bot's own work (the warm-up): never counted as someone in the line


@dataclass
class GenerationStats:
    """Counts and times of one generation; times are seconds since `submit()`."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0  # prompt prefix reused from llama.cpp's KV cache
    draft_steps: int = 0  # with prompt lookup: decoding steps (each evaluates one sampled token + its draft)
    draft_tokens: int = 0  # with prompt lookup: tokens drafted from the prompt and the answer so far
    queue_s: float = 0.0
    first_token_s: float = 0.0
    total_s: float = 0.0


class QueuePlace(Protocol):
    """Whatever orders a generator's requests; tells how many are ahead of one."""

    def position(self, generation: "Generation") -> int: ...


class Generation:
    """One submitted request: its queue place, its streamed text and, once done, its stats.

    The producer (a generator's worker) calls `emit()` per text piece and `finish()` once.
    """

    def __init__(self, request: GenerationRequest, queue: QueuePlace | None = None) -> None:
        self.request = request
        self.stats = GenerationStats()
        self.submitted_at = time.perf_counter()
        self._queue = queue
        self._pieces: list[str] = []
        self._finished = False
        self._error: BaseException | None = None
        self._cancelled = threading.Event()
        self._changed = threading.Condition()
        self._on_cancel: list[Callable[[], None]] = []

    def position(self) -> int:
        """0 while being generated (or done); n: n requests are ahead of this one."""
        return self._queue.position(self) if self._queue is not None and not self.done() else 0

    def __iter__(self) -> Iterator[str]:
        """Text deltas as they are generated; blocks until the worker reaches this request."""
        index = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: index < len(self._pieces) or self._finished)
                new = self._pieces[index:]
                finished = self._finished
            index += len(new)
            yield from new
            if finished and index >= len(self._pieces):
                if self._error is not None:
                    raise self._error
                return

    def text(self) -> str:
        """The whole generated text (waits until it is done)."""
        with self._changed:
            self._changed.wait_for(lambda: self._finished)
        if self._error is not None:
            raise self._error
        return "".join(self._pieces)

    def done(self) -> bool:
        return self._finished

    def cancel(self) -> None:
        """Stop at the next token, or skip the request when it has not started."""
        with self._changed:
            self._cancelled.set()
            callbacks, self._on_cancel = self._on_cancel, []
        for callback in callbacks:
            _call_logged(callback)

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Calls `callback` once, in the cancelling thread, when this is cancelled (at once if it is
        already): a backend that waits on a network read uses it to break the read off."""
        with self._changed:
            if not self._cancelled.is_set():
                self._on_cancel.append(callback)
                return
        _call_logged(callback)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    # --- called by the producer ---------------------------------------------------------------
    def emit(self, piece: str) -> None:
        if not self._pieces:
            self.stats.first_token_s = time.perf_counter() - self.submitted_at
        with self._changed:
            self._pieces.append(piece)
            self._changed.notify_all()

    def finish(self, error: BaseException | None = None) -> None:
        self.stats.total_s = time.perf_counter() - self.submitted_at
        with self._changed:
            self._error = error
            self._finished = True
            self._changed.notify_all()


def _call_logged(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:  # the cancel itself stands; a failing hook only costs the early stop
        log.exception("a cancel hook failed")


@runtime_checkable
class Generator(Protocol):
    """A text generator (local GGUF model or an OpenAI-compatible server)."""

    model_name: str
    n_ctx: int

    def submit(self, request: GenerationRequest) -> Generation: ...

    def count_tokens(self, text: str) -> int: ...

    def queue_length(self) -> int: ...

    def close(self) -> None: ...
