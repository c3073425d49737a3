"""Who has already been told something once (a greeting in the Messages tab, the AI notice), kept
across restarts in the storage layer's database (bot/storage; by default `state/first_contacts.sqlite3`).

One row per purpose and person: the pseudonym (bot/people/pseudonyms.py: a keyed hash of the Slack
user id, unless an admin switched pseudonymisation off). Nothing else about the person is kept: not
when, not where. Every change is one statement in a write transaction, so `vraagbaak privacy forget`
in another process while `serve` greets others cannot be undone by it: a forgotten person stays
forgotten. Kept as long as the installation exists (else the notice would come again); no
retention period.

Versions before this one kept one pseudonym a line in `state/greeted.txt` and `state/ai_notice.txt`:
those files are read into the table once, then removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from bot.storage.database import Database, upsert
from bot.storage.migrations import Migration, create_tables
from bot.storage.stores import Person, PersonalStore

log = logging.getLogger(__name__)

GREETED = "greeted"  # greeted in the app's Messages tab (bot/slack/features/greeting.py)
AI_NOTICE = "ai_notice"  # told that answers come from an AI (bot/slack/features/ai_notice.py)
PURPOSES = {GREETED: "greeted_in_messages_tab", AI_NOTICE: "ai_notice_shown"}  # purpose -> name in an export


def _tables() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("first_contacts", metadata,
             sa.Column("purpose", sa.Text, nullable=False),
             sa.Column("person", sa.Text, nullable=False),
             sa.PrimaryKeyConstraint("purpose", "person"))
    return metadata


MIGRATIONS = (Migration("first contacts: table", create_tables(_tables())),)
FIRST_CONTACTS = _tables().tables["first_contacts"]


class FirstContacts(PersonalStore):
    """Per purpose, the people told once. `once(purpose)` is what a feature uses.

    `previous_files`: {purpose: the text file an earlier version kept it in}, read in once.
    """

    name = "first_contacts"
    title = "begroet en AI-melding gekregen"
    migrations = MIGRATIONS

    def __init__(self, database: Database, *, pseudonymize: Callable[[str], str] = str,
                 previous_files: Mapping[str, Path] | None = None) -> None:
        super().__init__(database)
        self.pseudonymize = pseudonymize
        for purpose, path in (previous_files or {}).items():
            self._take_over(purpose, Path(path))

    def once(self, purpose: str) -> "OncePerPerson":
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        return OncePerPerson(self, purpose)

    def first_time(self, purpose: str, user: str) -> bool:
        """Whether this is the first time for `user`; from now on it is not."""
        with self.database.write() as db:
            insert = upsert(db, FIRST_CONTACTS).values(purpose=purpose, person=self.pseudonymize(user))
            # RETURNING, not rowcount: a driver need not count the rows of an INSERT (psycopg does not)
            added = db.execute(insert.on_conflict_do_nothing().returning(FIRST_CONTACTS.c.person)).first()
        return added is not None

    def knows(self, purpose: str, forms: Iterable[str]) -> bool:
        """Whether any of these stored forms of a person was told."""
        with self.database.read() as db:
            return db.execute(sa.select(FIRST_CONTACTS.c.person).where(
                FIRST_CONTACTS.c.purpose == purpose, FIRST_CONTACTS.c.person.in_(list(forms)))).first() is not None

    def remove(self, purpose: str, forms: Iterable[str]) -> int:
        with self.database.write() as db:
            return db.execute(FIRST_CONTACTS.delete().where(
                FIRST_CONTACTS.c.purpose == purpose, FIRST_CONTACTS.c.person.in_(list(forms)))).rowcount

    def export(self, person: Person) -> dict[str, bool]:
        return {name: self.knows(purpose, person.forms) for purpose, name in PURPOSES.items()}

    def forget(self, person: Person) -> int:
        with self.database.write() as db:
            return db.execute(FIRST_CONTACTS.delete().where(FIRST_CONTACTS.c.person.in_(person.forms))).rowcount

    def purge(self, now: datetime | None = None) -> int:
        """Nothing: who was told is kept as long as the installation exists."""
        return 0

    def _take_over(self, purpose: str, path: Path) -> None:
        """Reads an earlier version's file into the table, once (recorded as a migration, so a file
        that could not be removed is never read again and cannot bring back a forgotten person)."""
        def read_in(connection: sa.Connection) -> None:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                return
            people = sorted({line.strip() for line in lines if line.strip()})
            for person in people:
                insert = upsert(connection, FIRST_CONTACTS).values(purpose=purpose, person=person)
                connection.execute(insert.on_conflict_do_nothing())
            log.info("read %d person(s) from %s into the first contacts", len(people), path)
        self.database.migrate([Migration(f"first contacts: {path.name} read in", read_in)])
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s (read in before; it is not read again)", path, exc_info=True)


class OncePerPerson:
    """`first_time(user)`: True exactly once per person, for one purpose (thread- and process-safe)."""

    def __init__(self, contacts: FirstContacts, purpose: str) -> None:
        self.contacts = contacts
        self.purpose = purpose

    def first_time(self, user: str) -> bool:
        """Whether this is the first time for `user`; from now on it is not."""
        return self.contacts.first_time(self.purpose, user)

    def undo(self, user: str) -> None:
        """As if `first_time(user)` had not been asked (what it was for did not reach the person)."""
        self.contacts.remove(self.purpose, [self.contacts.pseudonymize(user)])

    def knows(self, forms: Iterable[str]) -> bool:
        """Access requests: whether any of these stored forms of a person was told."""
        return self.contacts.knows(self.purpose, forms)
