"""Answers the bot gave and the 👍/👎 votes on them, kept in a local SQLite file.

Every answer posted in Slack is stored (question, answer, sources, who asked, where), so that a
vote or a "Deel in kanaal" click can refer to it by id, and so that the votes can be exported as
JSONL: the raw material for evaluating prompts or, later, fine-tuning.

Privacy (deploy/PRIVACY.md): user ids are stored as given by `pseudonymize` (bot/people/pseudonyms.py: a keyed
hash by default); answers older than `retention_days` are deleted with their votes when the store
opens, on every write and before every read of many rows; `records_about` and `forget` serve access and
erasure requests.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Callable, Literal

from bot.answering.types import Source

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
    created_at TEXT NOT NULL,
    abstained INTEGER NOT NULL DEFAULT 0
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
    abstained: bool = False  # the bot declined: "not in the documents"


_ANSWER_COLUMNS = "id, question, answer, sources, user, channel, created_at, abstained"


def _stored(row: tuple) -> StoredAnswer:
    sources = [Source(**s) for s in json.loads(row[3])]
    return StoredAnswer(row[0], row[1], row[2], sources, row[4], row[5], row[6], bool(row[7]))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _stamp(moment: datetime) -> str:
    """A moment as stored (UTC, ISO 8601, whole seconds); a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class FeedbackStore:
    """SQLite-backed; safe to use from several threads (a connection per operation)."""

    def __init__(self, path: Path, *, pseudonymize: Callable[[str], str] = str,
                 retention_days: int = 0) -> None:
        self.path = Path(path)
        self.pseudonymize = pseudonymize
        self.retention_days = retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        with self._connection() as db:
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(answers)")}
            if "abstained" not in columns:  # a store written before answers recorded declining
                db.execute("ALTER TABLE answers ADD COLUMN abstained INTEGER NOT NULL DEFAULT 0")
        if created:
            os.chmod(self.path, 0o600)  # questions and answers: for the bot's own user only
        self.expired_at_open = self.delete_expired()  # at every start of the bot, too

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA secure_delete=ON")  # deleted questions are overwritten, not left in free pages
            with db:  # one transaction
                yield db

    def record_answer(self, *, question: str, answer: str, sources: list[Source],
                      user: str, channel: str, abstained: bool = False) -> str:
        """Stores an answer as posted; returns its id (used in button values). `abstained`: the
        bot declined ("not in the documents"), which makes the question a gap in the documents."""
        answer_id = uuid.uuid4().hex[:16]
        with self._connection() as db:
            db.execute(f"INSERT INTO answers ({_ANSWER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (answer_id, question, answer, json.dumps([asdict(s) for s in sources]),
                        self.pseudonymize(user), channel, _now(), int(abstained)))
            self._delete_expired(db)
        return answer_id

    def answer(self, answer_id: str) -> StoredAnswer | None:
        with self._connection() as db:
            row = db.execute(f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return None if row is None else _stored(row)

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
                       (answer_id, self.pseudonymize(user), vote, _now()))
            self._delete_expired(db)
        return True

    # --- what the admins read: vote counts, the latest 👎, declined questions -----------------------

    def vote_counts(self, since: datetime | None = None) -> dict[str, int]:
        """{"up": n, "down": m}: the votes (as they stand now) cast since `since` (all without)."""
        self.delete_expired()
        counts = {"up": 0, "down": 0}
        with self._connection() as db:
            rows = db.execute("SELECT vote, COUNT(*) FROM votes WHERE voted_at >= ? GROUP BY vote",
                              (_stamp(since) if since is not None else "",)).fetchall()
        counts.update({vote: n for vote, n in rows})
        return counts

    def latest_down(self, limit: int | None = 1, *, since: datetime | None = None) -> list[StoredAnswer]:
        """The answers that got a 👎, the most recently voted down first (each answer once);
        `limit` None: all of them; `since`: only 👎 cast since then."""
        self.delete_expired()
        query = (f"SELECT {', '.join('a.' + c for c in _ANSWER_COLUMNS.split(', '))}, MAX(v.voted_at) AS last "
                 "FROM answers a JOIN votes v ON v.answer_id = a.id "
                 "WHERE v.vote = 'down' AND v.voted_at >= ? GROUP BY a.id ORDER BY last DESC, a.rowid DESC")
        params: list = [_stamp(since) if since is not None else ""]
        if limit is not None:
            query += " LIMIT ?"
            params.append(max(0, limit))
        with self._connection() as db:
            rows = db.execute(query, params).fetchall()
        return [_stored(row) for row in rows]

    def unanswered(self, since: datetime | None = None) -> list[StoredAnswer]:
        """The answers in which the bot declined (not in the documents), asked since `since`,
        oldest first."""
        self.delete_expired()
        with self._connection() as db:
            rows = db.execute(f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE abstained = 1 AND created_at >= ? "
                              "ORDER BY created_at, rowid",
                              (_stamp(since) if since is not None else "",)).fetchall()
        return [_stored(row) for row in rows]

    def rows(self, *, include_unvoted: bool = False) -> Iterator[dict]:
        """One dict per vote (and per unvoted answer with include_unvoted), oldest first; user ids
        as stored (pseudonyms, unless pseudonymisation is off)."""
        self.delete_expired()
        join = "LEFT JOIN" if include_unvoted else "JOIN"
        query = (f"SELECT a.id, a.question, a.answer, a.sources, a.user, a.channel, a.created_at, "
                 f"v.user, v.vote, v.voted_at, a.abstained FROM answers a {join} votes v ON v.answer_id = a.id "
                 f"ORDER BY COALESCE(v.voted_at, a.created_at), a.rowid")
        with self._connection() as db:
            rows = db.execute(query).fetchall()
        for r in rows:
            yield {"answer_id": r[0], "question": r[1], "answer": r[2], "sources": json.loads(r[3]),
                   "user": r[7], "channel": r[5], "timestamp": r[9] or r[6], "vote": r[8],
                   "asked_by": r[4], "asked_at": r[6], "abstained": bool(r[10])}

    def export_jsonl(self, out: IO[str], *, include_unvoted: bool = False) -> int:
        """Writes one JSON object a line; returns the number of lines."""
        count = 0
        for row in self.rows(include_unvoted=include_unvoted):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count

    # --- retention, access and erasure (AVG/GDPR) ------------------------------------------------------

    def delete_expired(self, now: datetime | None = None) -> int:
        """Deletes answers older than the retention period, with their votes; returns how many
        records (answers + votes) went. Nothing goes when retention_days is 0."""
        with self._connection() as db:
            return self._delete_expired(db, now)

    def _delete_expired(self, db: sqlite3.Connection, now: datetime | None = None) -> int:
        if self.retention_days <= 0:
            return 0
        cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days)
                  ).isoformat(timespec="seconds")
        votes = db.execute("DELETE FROM votes WHERE answer_id IN (SELECT id FROM answers WHERE created_at < ?)",
                           (cutoff,)).rowcount
        answers = db.execute("DELETE FROM answers WHERE created_at < ?", (cutoff,)).rowcount
        if answers or votes:
            log.info("retention: deleted %d answer(s) and %d vote(s) older than %d days",
                     answers, votes, self.retention_days)
        return answers + votes

    def records_about(self, stored_ids: list[str]) -> dict:
        """Everything stored about one person (under any of `stored_ids`): the answers they asked
        for, with every vote on them, and the votes they cast on others' answers."""
        self.delete_expired()
        marks = ",".join("?" * len(stored_ids))
        with self._connection() as db:
            asked = db.execute("SELECT id, question, answer, sources, user, channel, created_at FROM answers "
                               f"WHERE user IN ({marks}) ORDER BY created_at, rowid", stored_ids).fetchall()
            votes = db.execute("SELECT answer_id, user, vote, voted_at FROM votes "
                               f"WHERE user IN ({marks}) ORDER BY voted_at", stored_ids).fetchall()
            votes_on_asked = {r[0]: db.execute("SELECT vote, voted_at FROM votes WHERE answer_id = ? "
                                               "ORDER BY voted_at", (r[0],)).fetchall() for r in asked}
        return {
            "answers_asked": [{"answer_id": r[0], "question": r[1], "answer": r[2], "sources": json.loads(r[3]),
                               "user": r[4], "channel": r[5], "asked_at": r[6],
                               "votes": [{"vote": v, "voted_at": at} for v, at in votes_on_asked[r[0]]]}
                              for r in asked],
            "votes_cast": [{"answer_id": r[0], "user": r[1], "vote": r[2], "voted_at": r[3]} for r in votes],
        }

    def forget(self, stored_ids: list[str]) -> int:
        """Erases one person (under any of `stored_ids`): the answers they asked for with all votes
        on them, and the votes they cast; returns how many records (answers + votes) went."""
        marks = ",".join("?" * len(stored_ids))
        with self._connection() as db:
            asked = f"SELECT id FROM answers WHERE user IN ({marks})"
            votes = db.execute(f"DELETE FROM votes WHERE user IN ({marks}) OR answer_id IN ({asked})",
                               [*stored_ids, *stored_ids]).rowcount
            answers = db.execute(f"DELETE FROM answers WHERE user IN ({marks})", stored_ids).rowcount
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy of the erased rows left in the WAL
        log.info("erasure request: deleted %d answer(s) and %d vote(s)", answers, votes)
        return answers + votes
