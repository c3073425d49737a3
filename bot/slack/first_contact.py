"""The AI notice at first contact (EU AI Act art. 50(1)): the first time Vraagbaak answers someone,
through any entry point, that person is told once that an AI assistant answers from the company's
documents, that answers can be wrong and that the sources are what counts.

Who has been told is kept in `<state_dir>/first_contact.sqlite3` under the person's pseudonym
(bot/privacy.py), so a restart does not tell them again. The notice goes where the question was
asked: privately in a channel (chat.postEphemeral, in the thread), as a message in a direct message,
or through the response URL of `/vraag` and the message shortcuts.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.language import detect_language

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.slack.replying import Question

log = logging.getLogger(__name__)

FILE_NAME = "first_contact.sqlite3"


class ToldPeople:
    """The pseudonyms of the people who got the notice (SQLite; safe from several threads)."""

    def __init__(self, path: Path, *, pseudonymize: Callable[[str], str] = str) -> None:
        self.path = Path(path)
        self.pseudonymize = pseudonymize
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        with self._connection() as db:
            db.execute("CREATE TABLE IF NOT EXISTS told (user TEXT PRIMARY KEY, told_at TEXT NOT NULL)")
        if created:
            os.chmod(self.path, 0o600)

    def _connection(self) -> sqlite3.Connection:
        return closing(sqlite3.connect(self.path, timeout=30))  # type: ignore[return-value]

    def claim(self, user: str) -> bool:
        """True exactly once per person: the caller tells them (and calls `release` if that failed)."""
        with self._connection() as db, db:
            cursor = db.execute("INSERT OR IGNORE INTO told VALUES (?, ?)",
                                (self.pseudonymize(user), datetime.now(timezone.utc).isoformat(timespec="seconds")))
            return cursor.rowcount == 1

    def release(self, user: str) -> None:
        with self._connection() as db, db:
            db.execute("DELETE FROM told WHERE user = ?", (self.pseudonymize(user),))

    def records_about(self, stored_ids: list[str]) -> list[dict[str, str]]:
        """Access requests: when this person (under any of `stored_ids`) was told."""
        marks = ",".join("?" * len(stored_ids))
        with self._connection() as db:
            rows = db.execute(f"SELECT user, told_at FROM told WHERE user IN ({marks})", stored_ids).fetchall()
        return [{"user": user, "told_at": told_at} for user, told_at in rows]

    def forget(self, stored_ids: list[str]) -> int:
        """Erasure requests: the record goes (the notice is shown again at their next question)."""
        marks = ",".join("?" * len(stored_ids))
        with self._connection() as db, db:
            return db.execute(f"DELETE FROM told WHERE user IN ({marks})", stored_ids).rowcount

    def was_told(self, user: str) -> bool:
        with self._connection() as db:
            return db.execute("SELECT 1 FROM told WHERE user = ?", (self.pseudonymize(user),)).fetchone() is not None


class FirstContact:
    """`greet(question, client, respond)`: the notice, once per person, before their first answer."""

    def __init__(self, told: ToldPeople, *, notice_nl: str, notice_en: str) -> None:
        self.told = told
        self.notices = {"nl": notice_nl.strip(), "en": notice_en.strip() or notice_nl.strip()}

    @classmethod
    def from_settings(cls, settings: "Settings", *, pseudonymize: Callable[[str], str]) -> "FirstContact":
        return cls(ToldPeople(settings.state_dir / FILE_NAME, pseudonymize=pseudonymize),
                   notice_nl=settings.ai_notice, notice_en=settings.ai_notice_en)

    def notice_for(self, question_text: str) -> str:
        return self.notices.get(detect_language(question_text), self.notices["nl"])

    def greet(self, question: "Question", client: WebClient, respond: Callable[..., Any] | None = None) -> bool:
        """Tells the asker, if this is their first contact; True when the notice was sent. Never raises."""
        text = self.notice_for(question.text)
        if not text or not question.user or not self.told.claim(question.user):
            return False
        try:
            self._send(text, question, client, respond)
        except Exception as exc:  # the notice is tried again with their next question
            self.told.release(question.user)
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            log.warning("could not show the AI notice to %s: %s", question.user, error)
            return False
        log.info("AI notice shown to %s", question.user)
        return True

    @staticmethod
    def _send(text: str, question: "Question", client: WebClient, respond: Callable[..., Any] | None) -> None:
        if respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif question.is_dm:
            client.chat_postMessage(channel=question.channel, thread_ts=question.thread_ts, text=text,
                                    unfurl_links=False)
        else:
            client.chat_postEphemeral(channel=question.channel, user=question.user, thread_ts=question.thread_ts,
                                      text=text)
