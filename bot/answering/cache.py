"""Answers to repeated questions, kept per index version: a re-index changes the version, so old
answers are never served for new documents.

The cache keeps whatever answer objects it is given (answer.py's `Answer`), so it imports nothing of
the engine that uses it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Hashable, Protocol, Sequence, TypeVar

from language.questions import question_key

AnswerT = TypeVar("AnswerT")


class SaidBefore(Protocol):
    """An earlier turn of the conversation (answer.py's `Turn`): who said it and what."""

    @property
    def role(self) -> str: ...

    @property
    def text(self) -> str: ...


def cache_key(question: str, *, history: Sequence[SaidBefore], collections: Sequence[str] | None,
              index_version: Hashable, readers: Sequence[str] | None = None) -> tuple:
    """Answers are kept per question, scope and readers: one asker's answer never reaches another
    who may read less."""
    return (
        question_key(question),
        tuple(sorted(collections)) if collections is not None else None,
        tuple(sorted(set(readers))) if readers is not None else None,
        tuple((t.role, question_key(t.text)) for t in history),
        index_version,
    )


class AnswerCache(Generic[AnswerT]):
    """A thread-safe LRU of finished answers; size 0 keeps nothing."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[tuple, AnswerT] = OrderedDict()
        self._lock = threading.Lock()
        self._version: Hashable = None

    def get(self, key: tuple) -> AnswerT | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: AnswerT) -> None:
        if self.size <= 0:
            return
        with self._lock:
            version = key[-1]
            if version != self._version:
                # Another index version: everything kept so far answers for old documents.
                self._answers.clear()
                self._version = version
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)
