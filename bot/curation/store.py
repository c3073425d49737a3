"""The curated answers' table in the storage layer's database (bot/storage; by default the SQLite file
`curated.sqlite3`): the reads and writes of the answers (answers.py) and of their review after a
re-index (review.py). Several processes share it (the CLI adds, `serve` matches): every change raises
a revision, so a reader knows when to read the answers again.

Personal data: `owner` is the Slack id of who decided the answer (kept as it is: they get a DM when a
source changes) and `decided_by` the name it is shown with. An erasure request leaves the answer,
which is company content, but takes the person off it: no owner, no name (deploy/PRIVACY.md).
There is no retention period: an answer stays until it is removed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timezone

import numpy as np
import sqlalchemy as sa

from bot.answering.types import Source
from bot.curation.types import CuratedAnswer
from bot.storage.database import upsert
from bot.storage.migrations import Migration, add_column, create_tables, rename_table
from bot.storage.stores import Person, PersonalStore

log = logging.getLogger(__name__)


def _first_tables() -> sa.MetaData:
    """The tables as the version before recorded migrations made them."""
    metadata = sa.MetaData()
    sa.Table("curated", metadata,
             sa.Column("id", sa.Text, primary_key=True),
             *(sa.Column(name, sa.Text, nullable=False) for name in ("question", "answer", "sources", "owner")),
             sa.Column("collection", sa.Text),
             sa.Column("created_at", sa.Text, nullable=False),
             sa.Column("decided_by", sa.Text, nullable=False),
             sa.Column("status", sa.Text, sa.CheckConstraint("status IN ('active', 'suspended')"), nullable=False),
             sa.Column("suspended_reason", sa.Text, nullable=False, server_default=""),
             sa.Column("suspended_at", sa.Text, nullable=False, server_default=""),
             sa.Column("fingerprints", sa.Text, nullable=False),
             sa.Column("owner_told", sa.Integer, nullable=False, server_default="1"),
             sa.Column("vector", sa.LargeBinary),
             sa.Column("vector_model", sa.Text, nullable=False, server_default=""))
    sa.Table("meta", metadata, sa.Column("key", sa.Text, primary_key=True),
             sa.Column("value", sa.Integer, nullable=False))
    return metadata


def _revision_row(connection: sa.Connection) -> None:
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    connection.execute(upsert(connection, meta).values(key="revision", value=0).on_conflict_do_nothing())


def _number_existing_answers(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":  # the order they were written in, as SQLite kept it
        connection.exec_driver_sql("UPDATE curated SET seq = rowid WHERE seq IS NULL")


MIGRATIONS = (
    Migration("curated: answers and revision", create_tables(_first_tables())),
    Migration("curated: revision row", _revision_row),
    Migration("curated: curated.seq", add_column("curated", sa.Column("seq", sa.Integer))),
    Migration("curated: existing answers numbered", _number_existing_answers),
    # one database may hold every store's tables (a server for replicas): no table named just "meta"
    Migration("curated: meta renamed curated_meta", rename_table("meta", "curated_meta")),
    # replicas each watch for suspensions: the one that claims a notice sends it
    Migration("curated: curated.notice_claimed_at", add_column(
        "curated", sa.Column("notice_claimed_at", sa.Text, nullable=False, server_default=""))),
)

_tables = sa.MetaData()
CURATED = sa.Table("curated", _tables,
                   *(sa.Column(name, sa.Text) for name in (
                       "id", "question", "answer", "sources", "owner", "collection", "created_at", "decided_by",
                       "status", "suspended_reason", "fingerprints", "suspended_at", "vector_model")),
                   sa.Column("owner_told", sa.Integer), sa.Column("vector", sa.LargeBinary),
                   sa.Column("seq", sa.Integer), sa.Column("notice_claimed_at", sa.Text))
META = sa.Table("curated_meta", _tables, sa.Column("key", sa.Text), sa.Column("value", sa.Integer))
_COLUMNS = [CURATED.c[name] for name in ("id", "question", "answer", "sources", "owner", "collection", "created_at",
                                         "decided_by", "status", "suspended_reason", "fingerprints", "suspended_at")]
_ORDER = (CURATED.c.created_at, CURATED.c.seq)

# An active answer as read for matching: the answer, its stored question vector, and the model of it.
ActiveRow = tuple[CuratedAnswer, bytes | None, str]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _answer(row: sa.Row) -> CuratedAnswer:
    return CuratedAnswer(id=row[0], question=row[1], answer=row[2],
                         sources=[Source(**s) for s in json.loads(row[3])], owner=row[4],
                         collection=row[5], created_at=row[6], decided_by=row[7], status=row[8],
                         suspended_reason=row[9], source_fingerprints=json.loads(row[10]),
                         suspended_at=row[11])


def _values(a: CuratedAnswer) -> dict:
    return {"id": a.id, "question": a.question, "answer": a.answer,
            "sources": json.dumps([asdict(s) for s in a.sources], ensure_ascii=False), "owner": a.owner,
            "collection": a.collection, "created_at": a.created_at, "decided_by": a.decided_by, "status": a.status,
            "suspended_reason": a.suspended_reason, "fingerprints": json.dumps(a.source_fingerprints),
            "suspended_at": a.suspended_at}


class CuratedStore(PersonalStore):
    """The table of curated answers."""

    name = "curated_answers"
    title = "vaste antwoorden waarvan de persoon eigenaar is"
    migrations = MIGRATIONS

    @staticmethod
    def _changed(db: sa.Connection) -> None:
        db.execute(META.update().where(META.c.key == "revision").values(value=META.c.value + 1))

    def insert(self, answer: CuratedAnswer, vector: np.ndarray, model: str) -> None:
        following = sa.select(sa.func.coalesce(sa.func.max(CURATED.c.seq), 0) + 1).scalar_subquery()
        with self.database.write() as db:
            db.execute(CURATED.insert().values(**_values(answer), vector=vector.astype(np.float32).tobytes(),
                                               vector_model=model, owner_told=1, seq=following))
            self._changed(db)

    def list(self, include_suspended: bool = True) -> list[CuratedAnswer]:
        query = sa.select(*_COLUMNS).order_by(*_ORDER)
        if not include_suspended:
            query = query.where(CURATED.c.status == "active")
        with self.database.read() as db:
            return [_answer(r) for r in db.execute(query)]

    def get(self, answer_id: str) -> CuratedAnswer | None:
        with self.database.read() as db:
            row = db.execute(sa.select(*_COLUMNS).where(CURATED.c.id == answer_id)).first()
        return None if row is None else _answer(row)

    def delete(self, answer_id: str) -> bool:
        with self.database.write() as db:
            gone = db.execute(CURATED.delete().where(CURATED.c.id == answer_id)).rowcount > 0
            if gone:
                self._changed(db)
        return gone

    def reactivate(self, answer_id: str, fingerprints: dict[str, str]) -> None:
        with self.database.write() as db:
            db.execute(CURATED.update().where(CURATED.c.id == answer_id).values(
                status="active", suspended_reason="", suspended_at="", fingerprints=json.dumps(fingerprints),
                owner_told=1))
            self._changed(db)

    def suspend(self, answer_id: str, reason: str, moment: str) -> None:
        """Suspended, with the owner still to be told (`untold`)."""
        with self.database.write() as db:
            db.execute(CURATED.update().where(CURATED.c.id == answer_id, CURATED.c.status == "active").values(
                status="suspended", suspended_reason=reason, suspended_at=moment, owner_told=0))
            self._changed(db)

    def active(self, *, unless: Callable[[int], bool]) -> tuple[int, list[ActiveRow] | None]:
        """The revision, and the active answers with their stored vectors; None instead of the answers
        when `unless(revision)` says the caller has them already."""
        with self.database.read() as db:
            revision = db.execute(sa.select(META.c.value).where(META.c.key == "revision")).scalar_one()
            if unless(revision):
                return revision, None
            rows = db.execute(sa.select(*_COLUMNS, CURATED.c.vector, CURATED.c.vector_model)
                              .where(CURATED.c.status == "active").order_by(*_ORDER)).all()
        return revision, [(_answer(row[:12]), row[12], row[13]) for row in rows]

    def set_vector(self, answer_id: str, vector: np.ndarray, model: str) -> None:
        with self.database.write() as db:
            db.execute(CURATED.update().where(CURATED.c.id == answer_id).values(
                vector=vector.astype(np.float32).tobytes(), vector_model=model))

    def untold(self) -> list[str]:
        """The suspended answers whose owner was not told yet, in the order they were suspended."""
        with self.database.read() as db:
            return list(db.scalars(sa.select(CURATED.c.id).where(CURATED.c.status == "suspended",
                                                                 CURATED.c.owner_told == 0)
                                   .order_by(CURATED.c.suspended_at, CURATED.c.seq)))

    def claim_untold(self, stale_before: str) -> set[str]:
        """Claims the untold notices that no process claimed, or whose claim is older than
        `stale_before` (its process died before it told the owner): the ids this process now tells.
        One conditional UPDATE: of two processes claiming at once, each notice goes to one."""
        untold = (CURATED.c.status == "suspended") & (CURATED.c.owner_told == 0)
        free = (CURATED.c.notice_claimed_at == "") | (CURATED.c.notice_claimed_at < stale_before)
        with self.database.write() as db:
            return set(db.scalars(CURATED.update().where(untold, free).values(notice_claimed_at=now())
                                  .returning(CURATED.c.id)))

    def release_claims(self, answer_ids: list[str]) -> None:
        """Notices that could not be sent: free for the next try, in this process or another."""
        with self.database.write() as db:
            db.execute(CURATED.update().where(CURATED.c.id.in_(answer_ids)).values(notice_claimed_at=""))

    def mark_told(self, answer_ids: list[str]) -> None:
        with self.database.write() as db:
            db.execute(CURATED.update().where(CURATED.c.id.in_(answer_ids)).values(owner_told=1, notice_claimed_at=""))

    # --- access and erasure (AVG/GDPR) ----------------------------------------------------------------

    def export(self, person: Person) -> list[dict]:
        """The curated answers the person owns (their Slack id is kept, for the DM)."""
        with self.database.read() as db:
            rows = db.execute(sa.select(*_COLUMNS).where(CURATED.c.owner.in_(person.forms)).order_by(*_ORDER))
            return [_answer(r).to_dict() for r in rows]

    def forget(self, person: Person) -> int:
        """Takes the person off the answers they own: no owner (nobody gets a DM; admins manage
        them) and no name; the answers stay in use. How many answers changed."""
        with self.database.write() as db:
            changed = db.execute(CURATED.update().where(CURATED.c.owner.in_(person.forms))
                                 .values(owner="", decided_by="")).rowcount
            if changed:
                self._changed(db)
        if changed:
            log.info("erasure request: %d curated answer(s) no longer name their owner", changed)
        return changed

    def purge(self, now: datetime | None = None) -> int:
        """Nothing: a curated answer is company content, kept until it is removed."""
        return 0
