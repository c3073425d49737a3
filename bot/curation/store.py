"""The curated answers' SQLite file: the table, and the reads and writes of the answers (answers.py)
and of their review after a re-index (review.py). Several processes share it (the CLI adds, `serve`
matches): every change raises a revision, so a reader knows when to read the answers again."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from bot.answering.types import Source
from bot.curation.types import CuratedAnswer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS curated (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    owner TEXT NOT NULL,
    collection TEXT,
    created_at TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    suspended_reason TEXT NOT NULL DEFAULT '',
    suspended_at TEXT NOT NULL DEFAULT '',
    fingerprints TEXT NOT NULL,
    owner_told INTEGER NOT NULL DEFAULT 1,
    vector BLOB,
    vector_model TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
"""
_COLUMNS = ("id, question, answer, sources, owner, collection, created_at, decided_by, status, "
            "suspended_reason, fingerprints, suspended_at")

# An active answer as read for matching: the answer, its stored question vector, and the model of it.
ActiveRow = tuple[CuratedAnswer, bytes | None, str]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _row(row: tuple) -> CuratedAnswer:
    return CuratedAnswer(id=row[0], question=row[1], answer=row[2],
                         sources=[Source(**s) for s in json.loads(row[3])], owner=row[4],
                         collection=row[5], created_at=row[6], decided_by=row[7], status=row[8],
                         suspended_reason=row[9], source_fingerprints=json.loads(row[10]),
                         suspended_at=row[11])


def _values(a: CuratedAnswer) -> tuple:
    return (a.id, a.question, a.answer, json.dumps([asdict(s) for s in a.sources], ensure_ascii=False),
            a.owner, a.collection, a.created_at, a.decided_by, a.status, a.suspended_reason,
            json.dumps(a.source_fingerprints), a.suspended_at)


class CuratedStore:
    """The table of curated answers in the SQLite file at `path` (0600, WAL)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        with self._connection() as db:
            db.executescript(_SCHEMA)
        if created:
            os.chmod(self.path, 0o600)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db

    @staticmethod
    def _changed(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")

    def insert(self, answer: CuratedAnswer, vector: np.ndarray, model: str) -> None:
        with self._connection() as db:
            db.execute(f"INSERT INTO curated ({_COLUMNS}, vector, vector_model) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (*_values(answer), vector.astype(np.float32).tobytes(), model))
            self._changed(db)

    def list(self, include_suspended: bool = True) -> list[CuratedAnswer]:
        where = "" if include_suspended else "WHERE status = 'active'"
        with self._connection() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM curated {where} ORDER BY created_at, rowid").fetchall()
        return [_row(r) for r in rows]

    def get(self, answer_id: str) -> CuratedAnswer | None:
        with self._connection() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM curated WHERE id = ?", (answer_id,)).fetchone()
        return None if row is None else _row(row)

    def delete(self, answer_id: str) -> bool:
        with self._connection() as db:
            gone = db.execute("DELETE FROM curated WHERE id = ?", (answer_id,)).rowcount > 0
            if gone:
                self._changed(db)
        return gone

    def reactivate(self, answer_id: str, fingerprints: dict[str, str]) -> None:
        with self._connection() as db:
            db.execute("UPDATE curated SET status = 'active', suspended_reason = '', suspended_at = '', "
                       "fingerprints = ?, owner_told = 1 WHERE id = ?", (json.dumps(fingerprints), answer_id))
            self._changed(db)

    def suspend(self, answer_id: str, reason: str, moment: str) -> None:
        """Suspended, with the owner still to be told (`untold`)."""
        with self._connection() as db:
            db.execute("UPDATE curated SET status = 'suspended', suspended_reason = ?, suspended_at = ?, "
                       "owner_told = 0 WHERE id = ? AND status = 'active'", (reason, moment, answer_id))
            self._changed(db)

    def active(self, *, unless: Callable[[int], bool]) -> tuple[int, list[ActiveRow] | None]:
        """The revision, and the active answers with their stored vectors; None instead of the answers
        when `unless(revision)` says the caller has them already."""
        with self._connection() as db:
            revision = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
            if unless(revision):
                return revision, None
            rows = db.execute(f"SELECT {_COLUMNS}, vector, vector_model FROM curated WHERE status = 'active' "
                              "ORDER BY created_at, rowid").fetchall()
        return revision, [(_row(row[:12]), row[12], row[13]) for row in rows]

    def set_vector(self, answer_id: str, vector: np.ndarray, model: str) -> None:
        with self._connection() as db:
            db.execute("UPDATE curated SET vector = ?, vector_model = ? WHERE id = ?",
                       (vector.astype(np.float32).tobytes(), model, answer_id))

    def untold(self) -> list[str]:
        """The suspended answers whose owner was not told yet, in the order they were suspended."""
        with self._connection() as db:
            return [r[0] for r in db.execute("SELECT id FROM curated WHERE status = 'suspended' AND owner_told = 0 "
                                             "ORDER BY suspended_at, rowid")]

    def mark_told(self, answer_ids: list[str]) -> None:
        with self._connection() as db:
            db.executemany("UPDATE curated SET owner_told = 1 WHERE id = ?", [(i,) for i in answer_ids])
