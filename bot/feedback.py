"""Answers the bot gave and the 👍/👎 votes on them, kept in a local SQLite file.

Every answer posted in Slack is stored (question, answer, sources, who asked, where), so that a
vote or a "Deel in kanaal" click can refer to it by id, and so that the votes can be exported as
JSONL: the raw material for evaluating prompts or, later, fine-tuning.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Literal

from bot.answering.answer import Source

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(id),
    user TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user)
);
"""


@dataclass(frozen=True)
class StoredAnswer:
    id: str
    question: str
    answer: str
    sources: list[Source]
    user: str
    channel: str
    created_at: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """SQLite-backed; safe to use from several threads (a connection per operation)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            with db:  # one transaction
                yield db

    def record_answer(self, *, question: str, answer: str, sources: list[Source],
                      user: str, channel: str) -> str:
        """Stores an answer as posted; returns its id (used in button values)."""
        answer_id = uuid.uuid4().hex[:16]
        with self._connection() as db:
            db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (answer_id, question, answer, json.dumps([asdict(s) for s in sources]),
                        user, channel, _now()))
        return answer_id

    def answer(self, answer_id: str) -> StoredAnswer | None:
        with self._connection() as db:
            row = db.execute("SELECT id, question, answer, sources, user, channel, created_at "
                             "FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        sources = [Source(**s) for s in json.loads(row[3])]
        return StoredAnswer(row[0], row[1], row[2], sources, row[4], row[5], row[6])

    def vote(self, answer_id: str, *, user: str, vote: Vote) -> bool:
        """Records (or changes) a user's vote; False when the answer is unknown."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        with self._connection() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                log.warning("vote for unknown answer %s", answer_id)
                return False
            db.execute("INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT(answer_id, user) "
                       "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                       (answer_id, user, vote, _now()))
        return True

    def rows(self, *, include_unvoted: bool = False) -> Iterator[dict]:
        """One dict per vote (and per unvoted answer with include_unvoted), oldest first."""
        join = "LEFT JOIN" if include_unvoted else "JOIN"
        query = (f"SELECT a.id, a.question, a.answer, a.sources, a.user, a.channel, a.created_at, "
                 f"v.user, v.vote, v.voted_at FROM answers a {join} votes v ON v.answer_id = a.id "
                 f"ORDER BY COALESCE(v.voted_at, a.created_at), a.rowid")
        with self._connection() as db:
            rows = db.execute(query).fetchall()
        for r in rows:
            yield {"answer_id": r[0], "question": r[1], "answer": r[2], "sources": json.loads(r[3]),
                   "user": r[7], "channel": r[5], "timestamp": r[9] or r[6], "vote": r[8],
                   "asked_by": r[4], "asked_at": r[6]}

    def export_jsonl(self, out: IO[str], *, include_unvoted: bool = False) -> int:
        """Writes one JSON object a line; returns the number of lines."""
        count = 0
        for row in self.rows(include_unvoted=include_unvoted):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
