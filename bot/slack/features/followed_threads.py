"""The channel threads Vraagbaak answered in, and whom it answered there: what decides whether a reply
in a thread without an @mention is a follow-up for the bot or chatter between colleagues.

Kept in `<state_dir>/followed_threads.sqlite3` (people under their pseudonym, bot/people/pseudonyms.py), so a
restart does not forget a conversation; a thread is followed for `days` after the bot's last answer
in it, older rows are deleted. Asking Slack (conversations.replies) for every reply in every channel
the bot is in would cost a rate-limited call per message of other people's chatter.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.slack.answer_flow.replying import Question

log = logging.getLogger(__name__)

FILE_NAME = "followed_threads.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answered (
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    user TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (channel, thread_ts, user)
);
CREATE INDEX IF NOT EXISTS answered_thread ON answered (channel, thread_ts, answered_at);
"""


class FollowedThreads:
    """`remember` after an answer in a channel thread; `answered` / `followed` when a reply arrives."""

    def __init__(self, path: Path, *, days: int, pseudonymize: Callable[[str], str] = str) -> None:
        self.path = Path(path)
        self.days = days
        self.pseudonymize = pseudonymize
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.executescript(_SCHEMA)
        if created:
            os.chmod(self.path, 0o600)

    @classmethod
    def from_settings(cls, settings: "Settings", *, pseudonymize: Callable[[str], str]) -> "FollowedThreads":
        return cls(settings.folders.state_dir / FILE_NAME, days=settings.colleagues.follow_up_days,
                   pseudonymize=pseudonymize)

    @property
    def enabled(self) -> bool:
        return self.days > 0

    def remember(self, channel: str, thread_ts: str, user: str) -> None:
        """Vraagbaak answered `user` in this thread just now."""
        if not self.enabled:
            return
        now = datetime.now(timezone.utc)
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.execute("INSERT INTO answered VALUES (?, ?, ?, ?) ON CONFLICT(channel, thread_ts, user) "
                       "DO UPDATE SET answered_at = excluded.answered_at",
                       (channel, thread_ts, self.pseudonymize(user), now.isoformat(timespec="seconds")))
            db.execute("DELETE FROM answered WHERE answered_at < ?", (self._cutoff(now),))

    def remember_question(self, question: "Question") -> None:
        """The Replier's after-answer hook: answers in channel threads only (not DMs, not private ones)."""
        if not question.is_dm and question.thread_ts:
            self.remember(question.channel, question.thread_ts, question.user)

    def answered(self, channel: str, thread_ts: str, user: str) -> bool:
        """Whether Vraagbaak answered this person in this thread within the last `days`."""
        return self._found("AND user = ?", (channel, thread_ts, self.pseudonymize(user)))

    def followed(self, channel: str, thread_ts: str) -> bool:
        """Whether Vraagbaak answered anyone in this thread within the last `days`."""
        return self._found("", (channel, thread_ts))

    def records_about(self, stored_ids: list[str]) -> list[dict[str, str]]:
        """Access requests: the threads in which Vraagbaak answered this person (under any of `stored_ids`)."""
        marks = ",".join("?" * len(stored_ids))
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            rows = db.execute(f"SELECT channel, thread_ts, user, answered_at FROM answered WHERE user IN ({marks}) "
                              "ORDER BY answered_at", stored_ids).fetchall()
        return [{"channel": c, "thread_ts": t, "user": u, "answered_at": at} for c, t, u, at in rows]

    def forget(self, stored_ids: list[str]) -> int:
        """Erasure requests: their threads are no longer followed for them."""
        marks = ",".join("?" * len(stored_ids))
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            return db.execute(f"DELETE FROM answered WHERE user IN ({marks})", stored_ids).rowcount

    def _found(self, condition: str, args: tuple[str, ...]) -> bool:
        if not self.enabled:
            return False
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            row = db.execute(f"SELECT 1 FROM answered WHERE channel = ? AND thread_ts = ? {condition} "
                             "AND answered_at >= ? LIMIT 1", (*args, self._cutoff())).fetchone()
        return row is not None

    def _cutoff(self, now: datetime | None = None) -> str:
        return ((now or datetime.now(timezone.utc)) - timedelta(days=self.days)).isoformat(timespec="seconds")
