"""Named migrations: each store lists the steps that bring its tables from nothing (or from a file an
earlier version made) to what its code reads, and every database records which steps it has had.

A step's name is its identity forever: it runs once per database, is recorded in the table
`schema_migrations` in the same transaction, and is never edited after release (a change is a new
step). Steps are written once for every engine: SQLAlchemy DDL, or plain SQL both engines accept.
The first step of a store made before migrations were recorded creates its tables only where they
are missing, so a file of the previous version is adopted as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.schema import CreateColumn

Step = Callable[[sa.Connection], None]

MIGRATIONS = sa.Table(
    "schema_migrations", sa.MetaData(),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("applied_at", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    name: str  # "feedback: answers.abstained": unique across every store that may share a database
    apply: Step


def apply_migrations(connection: sa.Connection, migrations: Sequence[Migration]) -> list[str]:
    """Runs the steps not recorded yet, in order, inside the caller's transaction; their names."""
    names = [m.name for m in migrations]
    if len(set(names)) != len(names):
        raise ValueError(f"migration names must be unique: {names}")
    MIGRATIONS.create(connection, checkfirst=True)
    done = set(connection.scalars(sa.select(MIGRATIONS.c.name)))
    applied = []
    for migration in migrations:
        if migration.name in done:
            continue
        migration.apply(connection)
        connection.execute(MIGRATIONS.insert().values(
            name=migration.name, applied_at=datetime.now(timezone.utc).isoformat(timespec="seconds")))
        applied.append(migration.name)
    return applied


def applied_migrations(connection: sa.Connection) -> list[str]:
    """The names recorded in this database, in the order they were applied."""
    if not sa.inspect(connection).has_table(MIGRATIONS.name):
        return []
    return list(connection.scalars(sa.select(MIGRATIONS.c.name).order_by(MIGRATIONS.c.applied_at)))


def create_tables(metadata: sa.MetaData) -> Step:
    """A step that creates these tables and their indexes where they do not exist yet."""
    def step(connection: sa.Connection) -> None:
        metadata.create_all(connection, checkfirst=True)
    return step


def add_column(table: str, column: sa.Column) -> Step:
    """A step that adds a column (with its type, NOT NULL and default as the engine spells them)
    unless the table has it already (a file written by a version that added it on its own)."""
    def step(connection: sa.Connection) -> None:
        if column.name in {c["name"] for c in sa.inspect(connection).get_columns(table)}:
            return
        spelled = CreateColumn(column).compile(dialect=connection.dialect)
        preparer = connection.dialect.identifier_preparer
        connection.exec_driver_sql(f"ALTER TABLE {preparer.quote(table)} ADD COLUMN {spelled}")
    return step


def rename_table(old: str, new: str) -> Step:
    """A step that renames a table (SQLite and PostgreSQL spell it the same)."""
    def step(connection: sa.Connection) -> None:
        preparer = connection.dialect.identifier_preparer
        connection.exec_driver_sql(f"ALTER TABLE {preparer.quote(old)} RENAME TO {preparer.quote(new)}")
    return step
