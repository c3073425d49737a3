"""An answer on its way (AnswerStream): its place in the model's queue, the text as it is generated
(through the guard, its [n] markers numbered as in the final sources), then the whole Answer."""

from __future__ import annotations

import logging
import threading
from typing import Callable, Iterator, Sequence

from bot.answering.citations import CitationRenumbering
from bot.answering.generation import Generation
from bot.answering.guards import AnswerGuard, GuardStop
from bot.answering.types import Answer, Preview, Source

log = logging.getLogger(__name__)


class AnswerStream:
    """An answer on its way: its queue place, the text as it is generated, then the whole Answer."""

    def __init__(self, *, answer: Answer | None = None, generation: Generation | None = None,
                 finish: Callable[[str, Generation, GuardStop | None], Answer] | None = None,
                 passage_sources: Sequence[Source] = (), guard: AnswerGuard | None = None,
                 preview: Preview | None = None) -> None:
        self._answer = answer
        self._preview = preview
        self._generation = generation
        self._finish = finish
        self._passage_sources = list(passage_sources)
        self._guard = guard
        self._deltas: Iterator[str] | None = None
        self._lock = threading.Lock()

    @property
    def found(self) -> list[Source]:
        """The documents the answer is written from, known before the model's first token (for an
        answer that is already complete, such as a refusal or a cached answer: its sources)."""
        if self._answer is not None:
            return list(self._answer.sources)
        return list(self._passage_sources)

    @property
    def abstained(self) -> bool:
        """True when the answer is already known to be "not in the documents" (no model call)."""
        return self._answer is not None and self._answer.abstained

    @property
    def preview(self) -> Preview | None:
        """The best sentence(s) with their source, before the first token; None when there is none."""
        return self._preview

    def position(self) -> int:
        """Requests ahead of this one in the model's queue; 0 = being answered now (or done)."""
        return self._generation.position() if self._generation is not None else 0

    def __iter__(self) -> Iterator[str]:
        """Text deltas, with [n] markers already numbered as in the final Answer's sources."""
        if self._generation is None:
            assert self._answer is not None
            yield self._answer.text
            return
        renumbering = CitationRenumbering(self._passage_sources)
        streamed = ""
        for delta in self._guarded_deltas():
            if text := renumbering.feed(delta):
                streamed += text
                yield text
        if rest := renumbering.finish():
            streamed += rest
            yield rest
        # What the final answer adds (the documents offered after "not found", or a quote when the
        # model wrote nothing), so a reader of the stream sees it too.
        answer = self.result()
        final = answer.text
        if not streamed.strip():
            yield final
        elif final.startswith(streamed.rstrip()) and final != streamed.rstrip():
            yield final[len(streamed.rstrip()):]
        elif answer.quoted:  # the guard stopped an echo after a few words had been shown
            yield f"\n\n{final}"

    def _guarded_deltas(self) -> Iterator[str]:
        """The model's text as it may be shown; one iterator, shared by `__iter__` and `result()`."""
        if self._deltas is None:
            self._deltas = self._through_guard()
        return self._deltas

    def _through_guard(self) -> Iterator[str]:
        assert self._generation is not None
        guard = self._guard
        if guard is None:
            yield from self._generation
            return
        for delta in self._generation:
            if text := guard.feed(delta):
                yield text
            if guard.stopped is not None:
                self._generation.cancel()  # a loop or an echo: the rest is not worth generating
                log.info("answer stopped: %s after %d characters", guard.stopped.reason, len(guard.text))
                return
        if rest := guard.finish():
            yield rest

    def result(self) -> Answer:
        """The finished Answer with its sources (waits for the model)."""
        with self._lock:
            if self._answer is None:
                assert self._generation is not None and self._finish is not None
                for _ in self._guarded_deltas():
                    pass  # not streamed: the guard still reads it, so a loop is stopped early
                raw = self._generation.text()  # also waits for a cancelled generation to end
                stopped = self._guard.stopped if self._guard is not None else None
                self._answer = self._finish(self._guard.text if self._guard else raw, self._generation, stopped)
            return self._answer

    def cancel(self) -> None:
        if self._generation is not None:
            self._generation.cancel()
