"""Secrets a deployment generates once and every process on the same database must share.

With replicas on one PostgreSQL database and no pseudonym key configured, a key file in each
replica's own data folder would give one person a pseudonym per replica. A generated key is then
kept here instead: the first process writes it, every other one reads that one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import sqlalchemy as sa

from bot.storage.database import Database, upsert
from bot.storage.migrations import Migration, create_tables


def _tables() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("generated_secrets", metadata,
             sa.Column("name", sa.Text, primary_key=True),
             sa.Column("value", sa.Text, nullable=False),
             sa.Column("created_at", sa.Text, nullable=False))
    return metadata


MIGRATIONS = (Migration("generated secrets: table", create_tables(_tables())),)
SECRETS = _tables().tables["generated_secrets"]


class GeneratedSecrets:
    """Named secrets, each written once by whichever process needs it first."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.migrate(MIGRATIONS)

    def get(self, name: str) -> str | None:
        with self.database.read() as connection:
            return connection.scalar(sa.select(SECRETS.c.value).where(SECRETS.c.name == name))

    def get_or_create(self, name: str, make: Callable[[], str]) -> str:
        """The secret `name`; made by `make` and kept when no process kept one before (of two at
        once, the first one's is kept and both get it)."""
        kept = self.get(name)
        if kept is not None:
            return kept
        with self.database.write(exclusive=False) as connection:
            connection.execute(upsert(connection, SECRETS).values(
                name=name, value=make(), created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            ).on_conflict_do_nothing(index_elements=["name"]))
        kept = self.get(name)
        assert kept is not None
        return kept
