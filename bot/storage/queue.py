"""The durable question queue: a question is written here before Slack's envelope is acknowledged, so
that a replica that dies while answering loses nothing, and a redelivered envelope or a second
replica does not answer twice. On SQLite (one machine: a restart picks up what was left) and on
PostgreSQL (replicas), with the same statements.

    queue = QuestionQueue(storage.database(state_dir / "questions.sqlite3"), lease_s=120)
    if queue.offer(event_id, user, payload):   # False: this event is known (a retry, or another replica)
        ack()
    claim = queue.claim(worker="replica-1")     # the oldest question no one holds, or None
    …                                           # answer it; before every post to Slack:
    if queue.renew(claim):                      # still ours, the lease now holds lease_s more seconds
        post()
    queue.complete(claim)                       # False: the lease was lost and another took over

- `offer` is INSERT … ON CONFLICT (event_id) DO NOTHING: one row per Slack event_id, ever (until the
  purge removes answered ones after `keep_done_s`, long after Slack stopped retrying).
- `claim` takes the oldest waiting row, or one whose lease expired (its replica died or hung), in one
  UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING; on PostgreSQL claimers do not wait
  for each other, on SQLite the write transaction (BEGIN IMMEDIATE) keeps them apart. Each claim
  raises the row's `attempt`: the fencing token.
- `renew` and `complete` change the row only while its attempt is the claim's and it is not done: a
  replica whose lease expired (and whose question another claimed) gets False, and must not post.
  Lease arithmetic runs on the claimer's clock: keep replicas' clocks in step (NTP), with leases far
  longer than their drift; a replica that posts only after a successful `renew` posts within its
  lease, when no one else can hold the question.
- A question claimed `max_attempts` times without being completed (it made every replica fail) is
  left, not claimed again: `stuck()` counts them for status and the metrics; the purge removes them.
- `waiting_before(event_id)`: the queue place, told to the asker: how many questions offered before
  this one, on any replica, are not answered yet (waiting, or being answered: each holds the model
  before this one gets it). A stuck question does not count: no one will answer it.

The rows hold the question (the envelope as JSON) and who asked (pseudonym), so this is a store of
personal data in the registry: export, forget, and a purge of answered and old rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from bot.storage.database import Database, upsert
from bot.storage.migrations import Migration, create_tables
from bot.storage.stores import Person, PersonalStore

WAITING, CLAIMED, DONE = "waiting", "claimed", "done"


def _tables() -> sa.MetaData:
    metadata = sa.MetaData()
    questions = sa.Table(
        "question_queue", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),  # arrival order
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("user", sa.Text, nullable=False),  # who asked (pseudonym), for export and forget
        sa.Column("payload", sa.Text, nullable=False),  # the envelope's event, JSON
        sa.Column("state", sa.Text, sa.CheckConstraint("state IN ('waiting', 'claimed', 'done')"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),  # the fencing token
        sa.Column("worker", sa.Text),  # who holds or held it
        sa.Column("lease_until", sa.Float),  # seconds since the epoch
        sa.Column("offered_at", sa.Float, nullable=False),
        sa.Column("done_at", sa.Float),
    )
    sa.Index("question_queue_state", questions.c.state, questions.c.id)
    return metadata


MIGRATIONS = (Migration("question queue: table", create_tables(_tables())),)
QUESTIONS = _tables().tables["question_queue"]


@dataclass(frozen=True)
class Claim:
    """A question taken by one worker; `attempt` fences it against a later claim of the same row."""

    id: int
    event_id: str
    payload: dict[str, Any]
    attempt: int
    worker: str


class QuestionQueue(PersonalStore):
    """See the module docstring. `clock` gives seconds since the epoch (tests move it)."""

    name = "question_queue"
    title = "vragen in de wachtrij"
    migrations = MIGRATIONS

    def __init__(self, database: Database, *, lease_s: float = 120.0, max_attempts: int = 3,
                 keep_done_s: float = 86400.0, keep_any_s: float = 7 * 86400.0,
                 pseudonymize: Callable[[str], str] = str, clock: Callable[[], float] = time.time) -> None:
        super().__init__(database)
        self.lease_s, self.max_attempts = lease_s, max_attempts
        self.keep_done_s, self.keep_any_s = keep_done_s, keep_any_s
        self.pseudonymize, self.clock = pseudonymize, clock

    def offer(self, event_id: str, user: str, payload: dict[str, Any]) -> bool:
        """Writes the question; False when this event_id was offered before (nothing changes then)."""
        with self.database.write(exclusive=False) as db:
            insert = upsert(db, QUESTIONS).values(
                event_id=event_id, user=self.pseudonymize(user), payload=json.dumps(payload, ensure_ascii=False),
                state=WAITING, attempt=0, offered_at=self.clock())
            added = db.execute(insert.on_conflict_do_nothing(index_elements=["event_id"])
                               .returning(QUESTIONS.c.id)).first()
        return added is not None

    def claim(self, worker: str) -> Claim | None:
        """The oldest question that is waiting or whose lease expired, now held by `worker` for
        lease_s seconds; None when there is none."""
        now = self.clock()
        takeable = sa.or_(QUESTIONS.c.state == WAITING,
                          sa.and_(QUESTIONS.c.state == CLAIMED, QUESTIONS.c.lease_until < now))
        oldest = (sa.select(QUESTIONS.c.id).where(takeable, QUESTIONS.c.attempt < self.max_attempts)
                  .order_by(QUESTIONS.c.id).limit(1).with_for_update(skip_locked=True).scalar_subquery())
        take = (QUESTIONS.update().where(QUESTIONS.c.id == oldest)
                .values(state=CLAIMED, attempt=QUESTIONS.c.attempt + 1, worker=worker, lease_until=now + self.lease_s)
                .returning(QUESTIONS.c.id, QUESTIONS.c.event_id, QUESTIONS.c.payload, QUESTIONS.c.attempt))
        with self.database.write(exclusive=False) as db:
            row = db.execute(take).first()
        if row is None:
            return None
        return Claim(id=row.id, event_id=row.event_id, payload=json.loads(row.payload), attempt=row.attempt,
                     worker=worker)

    def renew(self, claim: Claim) -> bool:
        """Whether the question is still this claim's; if so its lease holds lease_s seconds from now."""
        return self._fenced(claim, state=CLAIMED, lease_until=self.clock() + self.lease_s)

    def complete(self, claim: Claim) -> bool:
        """Marks the question answered; False (and nothing changes) when the claim was overtaken."""
        return self._fenced(claim, state=DONE, lease_until=None, done_at=self.clock())

    def release(self, claim: Claim) -> bool:
        """Gives the question back unanswered (a shutdown): the next claim takes it at once. The
        attempt stays counted."""
        return self._fenced(claim, state=WAITING, lease_until=None, worker=None)

    def _fenced(self, claim: Claim, **values: Any) -> bool:
        change = (QUESTIONS.update()
                  .where(QUESTIONS.c.id == claim.id, QUESTIONS.c.attempt == claim.attempt,
                         QUESTIONS.c.state == CLAIMED)
                  .values(**values).returning(QUESTIONS.c.id))
        with self.database.write(exclusive=False) as db:
            return db.execute(change).first() is not None

    def waiting_before(self, event_id: str) -> int:
        """How many questions offered before this one are not answered yet, on any replica (0: none,
        or this one is not in the queue)."""
        mine = sa.select(QUESTIONS.c.id).where(QUESTIONS.c.event_id == event_id).scalar_subquery()
        ahead = (sa.select(sa.func.count()).select_from(QUESTIONS)
                 .where(QUESTIONS.c.id < mine, QUESTIONS.c.state != DONE, sa.not_(self._stuck())))
        with self.database.read() as db:
            return int(db.execute(ahead).scalar() or 0)

    def stuck(self) -> int:
        """Questions claimed max_attempts times and never completed: no replica takes them again."""
        with self.database.read() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(QUESTIONS).where(
                QUESTIONS.c.state != DONE, self._stuck())).scalar())

    def _stuck(self) -> sa.ColumnElement[bool]:
        return sa.and_(QUESTIONS.c.attempt >= self.max_attempts,
                       sa.or_(QUESTIONS.c.state == WAITING, QUESTIONS.c.lease_until < self.clock()))

    # --- personal data --------------------------------------------------------------------------------

    def export(self, person: Person) -> list[dict[str, Any]]:
        query = (sa.select(QUESTIONS.c.event_id, QUESTIONS.c.payload, QUESTIONS.c.state, QUESTIONS.c.offered_at)
                 .where(QUESTIONS.c.user.in_(person.forms)).order_by(QUESTIONS.c.id))
        with self.database.read() as db:
            return [{"event_id": r.event_id, "event": json.loads(r.payload), "state": r.state,
                     "offered_at": _iso(r.offered_at)} for r in db.execute(query)]

    def forget(self, person: Person) -> int:
        """Deletes the person's questions, also one still waiting (it will not be answered)."""
        with self.database.write() as db:
            return db.execute(QUESTIONS.delete().where(QUESTIONS.c.user.in_(person.forms))).rowcount

    def purge(self, now: datetime | None = None) -> int:
        """Deletes answered questions after keep_done_s, and any question after keep_any_s."""
        moment = now.timestamp() if now is not None else self.clock()
        old = sa.or_(sa.and_(QUESTIONS.c.state == DONE, QUESTIONS.c.done_at < moment - self.keep_done_s),
                     QUESTIONS.c.offered_at < moment - self.keep_any_s)
        with self.database.write() as db:
            return db.execute(QUESTIONS.delete().where(old)).rowcount


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")
