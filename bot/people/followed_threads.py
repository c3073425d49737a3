"""The channel threads Vraagbaak answered in, and whom it answered there: what decides whether a reply
in a thread without an @mention is a follow-up for the bot or chatter between colleagues
(bot/slack/listeners/events/message_channels.py asks; bot/slack/features/followed_threads.py remembers).

Kept in the storage layer's database (bot/storage; by default `state/followed_threads.sqlite3`;
people under their pseudonym, bot/people/pseudonyms.py), so a restart does not forget a
conversation; a thread is followed for `days` after the bot's last answer in it, older rows are
deleted. Asking Slack (conversations.replies) for every reply in every channel the bot is in would
cost a rate-limited call per message of other people's chatter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.storage.database import Database, upsert
from bot.storage.migrations import Migration, create_tables
from bot.storage.stores import Person, PersonalStore

log = logging.getLogger(__name__)

FILE_NAME = "followed_threads.sqlite3"


def _tables() -> sa.MetaData:
    metadata = sa.MetaData()
    answered = sa.Table("answered", metadata,
                        *(sa.Column(name, sa.Text, nullable=False)
                          for name in ("channel", "thread_ts", "user", "answered_at")),
                        sa.PrimaryKeyConstraint("channel", "thread_ts", "user"))
    sa.Index("answered_thread", answered.c.channel, answered.c.thread_ts, answered.c.answered_at)
    return metadata


MIGRATIONS = (Migration("followed threads: answered", create_tables(_tables())),)
ANSWERED = _tables().tables["answered"]


class FollowedThreads(PersonalStore):
    """`remember` after an answer in a channel thread; `answered` / `followed` when a reply arrives."""

    name = "followed_threads"
    title = "gevolgde kanaalthreads"
    migrations = MIGRATIONS

    def __init__(self, database: Database, *, days: int, pseudonymize: Callable[[str], str] = str) -> None:
        super().__init__(database)
        self.days = days
        self.pseudonymize = pseudonymize

    @property
    def enabled(self) -> bool:
        return self.days > 0

    def remember(self, channel: str, thread_ts: str, user: str) -> None:
        """Vraagbaak answered `user` in this thread just now."""
        if not self.enabled:
            return
        now = datetime.now(timezone.utc)
        with self.database.write() as db:
            insert = upsert(db, ANSWERED).values(channel=channel, thread_ts=thread_ts, user=self.pseudonymize(user),
                                                 answered_at=now.isoformat(timespec="seconds"))
            db.execute(insert.on_conflict_do_update(
                index_elements=[ANSWERED.c.channel, ANSWERED.c.thread_ts, ANSWERED.c.user],
                set_={"answered_at": insert.excluded.answered_at}))
            db.execute(ANSWERED.delete().where(ANSWERED.c.answered_at < self._cutoff(now)))

    def answered(self, channel: str, thread_ts: str, user: str) -> bool:
        """Whether Vraagbaak answered this person in this thread within the last `days`."""
        return self._found(channel, thread_ts, ANSWERED.c.user == self.pseudonymize(user))

    def followed(self, channel: str, thread_ts: str) -> bool:
        """Whether Vraagbaak answered anyone in this thread within the last `days`."""
        return self._found(channel, thread_ts)

    def export(self, person: Person) -> list[dict[str, str]]:
        """The threads in which Vraagbaak answered this person."""
        query = (sa.select(ANSWERED.c.channel, ANSWERED.c.thread_ts, ANSWERED.c.user, ANSWERED.c.answered_at)
                 .where(ANSWERED.c.user.in_(person.forms)).order_by(ANSWERED.c.answered_at))
        with self.database.read() as db:
            return [{"channel": c, "thread_ts": t, "user": u, "answered_at": at} for c, t, u, at in db.execute(query)]

    def forget(self, person: Person) -> int:
        """Their threads are no longer followed for them."""
        with self.database.write() as db:
            return db.execute(ANSWERED.delete().where(ANSWERED.c.user.in_(person.forms))).rowcount

    def purge(self, now: datetime | None = None) -> int:
        """Deletes what is older than `days` (everything when following threads is switched off)."""
        condition = ANSWERED.c.answered_at < self._cutoff(now) if self.enabled else sa.true()
        with self.database.write() as db:
            return db.execute(ANSWERED.delete().where(condition)).rowcount

    def _found(self, channel: str, thread_ts: str, *conditions: sa.ColumnElement[bool]) -> bool:
        if not self.enabled:
            return False
        query = (sa.select(ANSWERED.c.user).where(ANSWERED.c.channel == channel, ANSWERED.c.thread_ts == thread_ts,
                                                  ANSWERED.c.answered_at >= self._cutoff(), *conditions).limit(1))
        with self.database.read() as db:
            return db.execute(query).first() is not None

    def _cutoff(self, now: datetime | None = None) -> str:
        return ((now or datetime.now(timezone.utc)) - timedelta(days=self.days)).isoformat(timespec="seconds")
