"""A database as the stores see it: transactions to read and to write, named migrations, and the
clean-up after an erasure; and `Storage`, which gives each store its database.

Stores write their SQL once, with SQLAlchemy Core (the same statements run on SQLite and on
PostgreSQL); nothing outside bot/storage opens a connection (tests/test_architecture.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.engines import EXCLUSIVE, WRITE, EngineRecipe, HeldLock, StorageError, recipe_for
from bot.storage.migrations import Migration, apply_migrations


class Database:
    """One database (a SQLite file, or a server's database), safe to use from several threads and
    processes: every read or write is a transaction on a pooled connection."""

    def __init__(self, recipe: EngineRecipe) -> None:
        self.recipe = recipe
        self.engine = recipe.create_engine()

    def __repr__(self) -> str:
        return f"Database({self.recipe.describe()})"

    @property
    def dialect(self) -> str:
        return self.recipe.dialect

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A transaction that only reads: one consistent snapshot."""
        with self._connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self, *, exclusive: bool = True) -> Iterator[sa.Connection]:
        """A transaction that writes: committed when the block ends, rolled back when it raises.
        Writers exclude each other, also across processes and replicas. `exclusive=False`: a
        transaction of statements that are each safe on their own (an UPDATE … RETURNING that takes
        its rows with FOR UPDATE SKIP LOCKED): on PostgreSQL it runs beside other writers; SQLite
        has one writer at a time either way."""
        with self._connect() as connection:
            connection.execution_options(**{WRITE: True, EXCLUSIVE: exclusive})
            with connection.begin():
                yield connection

    def try_lock(self, name: str) -> HeldLock | None:
        """The lock `name` for this database, if no process or replica holds it now (None then);
        it is released by `release()`, and when its holder dies. PostgreSQL: an advisory lock;
        SQLite (one machine): an fcntl lock on a file beside the database."""
        try:
            return self.recipe.try_lock(self.engine, name)
        except sa.exc.OperationalError as exc:
            raise StorageError(self.recipe.unreachable(exc)) from exc

    def _connect(self) -> sa.Connection:
        try:
            return self.engine.connect()
        except sa.exc.OperationalError as exc:  # the server is down, refuses us, or the file cannot be opened
            raise StorageError(self.recipe.unreachable(exc)) from exc

    def migrate(self, migrations: Sequence[Migration]) -> list[str]:
        """Applies the migrations not applied before, in order, in one transaction that no other
        process migrates at the same time; returns the names applied now."""
        with self.write() as connection:
            self.recipe.lock_for_migrations(connection)
            return apply_migrations(connection, migrations)

    def after_erasure(self) -> None:
        """Called after rows about a person were deleted (see EngineRecipe.after_erasure)."""
        self.recipe.after_erasure(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def upsert(connection: sa.Connection, table: sa.Table):
    """INSERT … ON CONFLICT for this connection's engine (SQLite and PostgreSQL spell it the same,
    SQLAlchemy builds it per dialect): `.on_conflict_do_update(…)` / `.on_conflict_do_nothing(…)`."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"no upsert for {dialect}")


class Storage:
    """Gives each store its database. Without a URL every store keeps its own SQLite file (the path
    it asks for); with one (`sqlite:///…` or, for replicas, a server) every store shares that database."""

    def __init__(self, url: str = "") -> None:
        self.url = url
        self._databases: dict[str, Database] = {}
        self._lock = threading.Lock()

    @property
    def shared_by_replicas(self) -> bool:
        """Whether every store of every process is in one database server (replicas share it)."""
        return recipe_for(self.url, Path("unused")).dialect != "sqlite"

    def database(self, sqlite_path: Path) -> Database:
        """The database for a store whose own SQLite file would be `sqlite_path`; one per place."""
        recipe = recipe_for(self.url, Path(sqlite_path))
        key = recipe.describe()
        with self._lock:
            if key not in self._databases:
                self._databases[key] = Database(recipe)
            return self._databases[key]

    def close(self) -> None:
        with self._lock:
            for database in self._databases.values():
                database.close()
            self._databases.clear()
