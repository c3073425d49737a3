"""Answers the bot gave and the 👍/👎 votes on them, in the storage layer's database (bot/storage;
by default the SQLite file `feedback.sqlite3`).

Every answer posted in Slack is stored (question, answer, sources, who asked, where), so that a
vote or a "Deel in kanaal" click can refer to it by id, and so that the votes can be exported as
JSONL: the raw material for evaluating prompts or, later, fine-tuning.

Privacy (deploy/PRIVACY.md): user ids are stored as given by `pseudonymize` (bot/people/pseudonyms.py: a keyed
hash by default); answers older than `retention_days` are deleted with their votes on every write,
before every read of many rows, and by `purge` (the daily job and every start of `serve`);
`export` and `forget` serve access and erasure requests.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import IO, Callable, Literal

import sqlalchemy as sa

from bot.answering.types import Source
from bot.storage.database import Database, upsert
from bot.storage.migrations import Migration, add_column, create_tables
from bot.storage.stores import Person, PersonalStore

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]


def _first_tables() -> sa.MetaData:
    """The tables as the version before recorded migrations made them."""
    metadata = sa.MetaData()
    sa.Table("answers", metadata,
             sa.Column("id", sa.Text, primary_key=True),
             sa.Column("question", sa.Text, nullable=False),
             sa.Column("answer", sa.Text, nullable=False),
             sa.Column("sources", sa.Text, nullable=False),
             sa.Column("user", sa.Text, nullable=False),
             sa.Column("channel", sa.Text, nullable=False),
             sa.Column("created_at", sa.Text, nullable=False),
             sa.Column("abstained", sa.Integer, nullable=False, server_default="0"))
    sa.Table("votes", metadata,
             sa.Column("answer_id", sa.Text, sa.ForeignKey("answers.id"), nullable=False),
             sa.Column("user", sa.Text, nullable=False),
             sa.Column("vote", sa.Text, sa.CheckConstraint("vote IN ('up', 'down')"), nullable=False),
             sa.Column("voted_at", sa.Text, nullable=False),
             sa.PrimaryKeyConstraint("answer_id", "user"))
    return metadata


def _number_existing_answers(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":  # the order they were written in, as SQLite kept it
        connection.exec_driver_sql("UPDATE answers SET seq = rowid WHERE seq IS NULL")


MIGRATIONS = (
    Migration("feedback: answers and votes", create_tables(_first_tables())),
    Migration("feedback: answers.abstained",
              add_column("answers", sa.Column("abstained", sa.Integer, nullable=False, server_default="0"))),
    Migration("feedback: answers.seq", add_column("answers", sa.Column("seq", sa.Integer))),
    Migration("feedback: existing answers numbered", _number_existing_answers),
)

_tables = sa.MetaData()
ANSWERS = sa.Table("answers", _tables,
                   *(sa.Column(name, sa.Text) for name in
                     ("id", "question", "answer", "sources", "user", "channel", "created_at")),
                   sa.Column("abstained", sa.Integer), sa.Column("seq", sa.Integer))
VOTES = sa.Table("votes", _tables, *(sa.Column(name, sa.Text) for name in ("answer_id", "user", "vote", "voted_at")))

_ANSWER_COLUMNS = [ANSWERS.c[name] for name in ("id", "question", "answer", "sources", "user", "channel",
                                                  "created_at", "abstained")]


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


def _stored(row: sa.Row) -> StoredAnswer:
    sources = [Source(**s) for s in json.loads(row[3])]
    return StoredAnswer(row[0], row[1], row[2], sources, row[4], row[5], row[6], bool(row[7]))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _stamp(moment: datetime | None) -> str:
    """A moment as stored (UTC, ISO 8601, whole seconds); a naive datetime is taken as UTC; None:
    before everything."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class FeedbackStore(PersonalStore):
    """Safe to use from several threads and processes (a transaction per operation)."""

    name = "feedback"
    title = "vragen, antwoorden en stemmen"
    migrations = MIGRATIONS

    def __init__(self, database: Database, *, pseudonymize: Callable[[str], str] = str,
                 retention_days: int = 0) -> None:
        super().__init__(database)
        self.pseudonymize = pseudonymize
        self.retention_days = retention_days

    def record_answer(self, *, question: str, answer: str, sources: list[Source],
                      user: str, channel: str, abstained: bool = False) -> str:
        """Stores an answer as posted; returns its id (used in button values). `abstained`: the
        bot declined ("not in the documents"), which makes the question a gap in the documents."""
        answer_id = uuid.uuid4().hex[:16]
        following = sa.select(sa.func.coalesce(sa.func.max(ANSWERS.c.seq), 0) + 1).scalar_subquery()
        with self.database.write() as db:
            db.execute(ANSWERS.insert().values(
                id=answer_id, question=question, answer=answer, sources=json.dumps([asdict(s) for s in sources]),
                user=self.pseudonymize(user), channel=channel, created_at=_now(), abstained=int(abstained),
                seq=following))
            self._purge(db)
        return answer_id

    def answer(self, answer_id: str) -> StoredAnswer | None:
        with self.database.read() as db:
            row = db.execute(sa.select(*_ANSWER_COLUMNS).where(ANSWERS.c.id == answer_id)).first()
        return None if row is None else _stored(row)

    def vote(self, answer_id: str, *, user: str, vote: Vote) -> bool:
        """Records (or changes) a user's vote; False when the answer is unknown."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        with self.database.write() as db:
            if db.execute(sa.select(ANSWERS.c.id).where(ANSWERS.c.id == answer_id)).first() is None:
                log.warning("vote for unknown answer %s", answer_id)
                return False
            insert = upsert(db, VOTES).values(answer_id=answer_id, user=self.pseudonymize(user), vote=vote,
                                              voted_at=_now())
            db.execute(insert.on_conflict_do_update(
                index_elements=[VOTES.c.answer_id, VOTES.c.user],
                set_={"vote": insert.excluded.vote, "voted_at": insert.excluded.voted_at}))
            self._purge(db)
        return True

    # --- what the admins read: vote counts, the latest 👎, declined questions -----------------------

    def vote_counts(self, since: datetime | None = None) -> dict[str, int]:
        """{"up": n, "down": m}: the votes (as they stand now) cast since `since` (all without)."""
        self.purge()
        counts = {"up": 0, "down": 0}
        query = (sa.select(VOTES.c.vote, sa.func.count()).where(VOTES.c.voted_at >= _stamp(since))
                 .group_by(VOTES.c.vote))
        with self.database.read() as db:
            counts.update({vote: n for vote, n in db.execute(query)})
        return counts

    def latest_down(self, limit: int | None = 1, *, since: datetime | None = None) -> list[StoredAnswer]:
        """The answers that got a 👎, the most recently voted down first (each answer once);
        `limit` None: all of them; `since`: only 👎 cast since then."""
        self.purge()
        last = sa.func.max(VOTES.c.voted_at).label("last")
        query = (sa.select(*_ANSWER_COLUMNS, last).join(VOTES, VOTES.c.answer_id == ANSWERS.c.id)
                 .where(VOTES.c.vote == "down", VOTES.c.voted_at >= _stamp(since))
                 .group_by(*_ANSWER_COLUMNS, ANSWERS.c.seq).order_by(last.desc(), ANSWERS.c.seq.desc()))
        if limit is not None:
            query = query.limit(max(0, limit))
        with self.database.read() as db:
            return [_stored(row) for row in db.execute(query)]

    def unanswered(self, since: datetime | None = None) -> list[StoredAnswer]:
        """The answers in which the bot declined (not in the documents), asked since `since`,
        oldest first."""
        self.purge()
        query = (sa.select(*_ANSWER_COLUMNS).where(ANSWERS.c.abstained == 1, ANSWERS.c.created_at >= _stamp(since))
                 .order_by(ANSWERS.c.created_at, ANSWERS.c.seq))
        with self.database.read() as db:
            return [_stored(row) for row in db.execute(query)]

    def rows(self, *, include_unvoted: bool = False) -> Iterator[dict]:
        """One dict per vote (and per unvoted answer with include_unvoted), oldest first; user ids
        as stored (pseudonyms, unless pseudonymisation is off)."""
        self.purge()
        a, v = ANSWERS.c, VOTES.c
        joined = ANSWERS.join(VOTES, v.answer_id == a.id, isouter=include_unvoted)
        query = (sa.select(a.id, a.question, a.answer, a.sources, a.user, a.channel, a.created_at,
                           v.user, v.vote, v.voted_at, a.abstained).select_from(joined)
                 .order_by(sa.func.coalesce(v.voted_at, a.created_at), a.seq))
        with self.database.read() as db:
            rows = db.execute(query).all()
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

    def purge(self, now: datetime | None = None) -> int:
        """Deletes answers older than the retention period, with their votes; returns how many
        records (answers + votes) went. Nothing goes when retention_days is 0."""
        if self.retention_days <= 0:
            return 0
        with self.database.write() as db:
            return self._purge(db, now)

    def _purge(self, db: sa.Connection, now: datetime | None = None) -> int:
        if self.retention_days <= 0:
            return 0
        cutoff = _stamp((now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days))
        old = sa.select(ANSWERS.c.id).where(ANSWERS.c.created_at < cutoff)
        votes = db.execute(VOTES.delete().where(VOTES.c.answer_id.in_(old))).rowcount
        answers = db.execute(ANSWERS.delete().where(ANSWERS.c.created_at < cutoff)).rowcount
        if answers or votes:
            log.info("retention: deleted %d answer(s) and %d vote(s) older than %d days",
                     answers, votes, self.retention_days)
        return answers + votes

    def export(self, person: Person) -> dict:
        """Everything stored about one person: the answers they asked for, with every vote on them,
        and the votes they cast on others' answers."""
        self.purge()
        forms = list(person.forms)
        asked_query = (sa.select(*_ANSWER_COLUMNS[:7]).where(ANSWERS.c.user.in_(forms))
                       .order_by(ANSWERS.c.created_at, ANSWERS.c.seq))
        cast_query = (sa.select(VOTES.c.answer_id, VOTES.c.user, VOTES.c.vote, VOTES.c.voted_at)
                      .where(VOTES.c.user.in_(forms)).order_by(VOTES.c.voted_at))
        with self.database.read() as db:
            asked = db.execute(asked_query).all()
            cast = db.execute(cast_query).all()
            votes_on_asked = {r[0]: db.execute(sa.select(VOTES.c.vote, VOTES.c.voted_at)
                                               .where(VOTES.c.answer_id == r[0]).order_by(VOTES.c.voted_at)).all()
                              for r in asked}
        return {
            "answers_asked": [{"answer_id": r[0], "question": r[1], "answer": r[2], "sources": json.loads(r[3]),
                               "user": r[4], "channel": r[5], "asked_at": r[6],
                               "votes": [{"vote": v, "voted_at": at} for v, at in votes_on_asked[r[0]]]}
                              for r in asked],
            "votes_cast": [{"answer_id": r[0], "user": r[1], "vote": r[2], "voted_at": r[3]} for r in cast],
        }

    def forget(self, person: Person) -> int:
        """Erases one person: the answers they asked for with all votes on them, and the votes they
        cast; returns how many records (answers + votes) went."""
        forms = list(person.forms)
        asked = sa.select(ANSWERS.c.id).where(ANSWERS.c.user.in_(forms))
        with self.database.write() as db:
            votes = db.execute(VOTES.delete().where(sa.or_(VOTES.c.user.in_(forms),
                                                           VOTES.c.answer_id.in_(asked)))).rowcount
            answers = db.execute(ANSWERS.delete().where(ANSWERS.c.user.in_(forms))).rowcount
        return answers + votes
