"""How a connection to each kind of database is made: the one place that knows an engine's quirks.

SQLite is the embedded default: one file per store, made by `SqliteRecipe` (0600 files, WAL,
`secure_delete`, a busy timeout, foreign keys, and write transactions that take the write lock at
BEGIN). A server database (PostgreSQL, for several replicas on one database) plugs in as another
`EngineRecipe`, chosen by the URL's scheme in `recipe_for`; the stores, their SQL (SQLAlchemy Core)
and their migrations stay the same.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa

from bot.errors import VraagbaakError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30  # how long a writer waits for another process's write to finish
SQLITE_AT_LEAST = (3, 35)  # INSERT … RETURNING (Python 3.11's own builds bring 3.40 or later)
WRITE = "vraagbaak_write"  # execution option: this connection's transaction writes


class StorageError(VraagbaakError):
    """A database cannot be opened or used as configured (Dutch message)."""


class EngineRecipe(Protocol):
    """What an engine must provide. `Database` calls nothing engine-specific but these."""

    dialect: str  # SQLAlchemy's dialect name: "sqlite", "postgresql"

    def create_engine(self) -> sa.Engine:
        """A SQLAlchemy engine whose write transactions (execution option WRITE) exclude each
        other's lost updates: SQLite takes the write lock at BEGIN; a server uses row locks or
        single-statement writes."""

    def lock_for_migrations(self, connection: sa.Connection) -> None:
        """Inside the migrating transaction: no other process migrates the same database meanwhile."""

    def after_erasure(self, engine: sa.Engine) -> None:
        """After rows about a person were deleted: no copy of them left where the engine keeps old rows."""

    def describe(self) -> str:
        """Where the data is, for logs and `status` (never a password)."""


class SqliteRecipe:
    """One SQLite file, created with mode 0600 (its -wal and -shm files take the same mode)."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def create_engine(self) -> sa.Engine:
        if sqlite3.sqlite_version_info < SQLITE_AT_LEAST:
            raise StorageError(f"SQLite {sqlite3.sqlite_version} is te oud; Vraagbaak heeft SQLite "
                               f"{'.'.join(map(str, SQLITE_AT_LEAST))} of nieuwer nodig (een recentere Python).")
        _create_private_file(self.path)
        engine = sa.create_engine(f"sqlite:///{self.path}", connect_args={"timeout": BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _sqlite_connected)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine

    def lock_for_migrations(self, connection: sa.Connection) -> None:
        """Nothing more: the migrating transaction is a write transaction, which holds the file's
        write lock from its BEGIN IMMEDIATE to its end."""

    def after_erasure(self, engine: sa.Engine) -> None:
        # secure_delete overwrote the rows in the database file; the WAL may still hold copies of
        # the pages they were on until a checkpoint folds it into the file and truncates it.
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            busy, _, _ = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("the WAL of %s could not be emptied now (a reader was busy); SQLite empties it "
                        "at its next checkpoint", self.path)

    def describe(self) -> str:
        return f"sqlite:{self.path}"


def _create_private_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
            log.warning("%s was readable by others; permissions set to 0600", path)
    except OSError as exc:
        raise StorageError(f"Kan het databasebestand {path} niet aanmaken of openen: {exc}") from exc


def _sqlite_connected(driver_connection: Any, _record: object) -> None:
    # The driver must not start transactions itself (it would not for SELECT or DDL): SQLAlchemy's
    # "begin" event below does, so that a read sees one snapshot and DDL is transactional.
    driver_connection.isolation_level = None
    for pragma in ("journal_mode=WAL",  # readers never wait for the writer, across processes
                   "secure_delete=ON",  # deleted rows are overwritten, not left in free pages
                   "foreign_keys=ON",
                   f"busy_timeout={BUSY_TIMEOUT_S * 1000}"):
        driver_connection.execute(f"PRAGMA {pragma}")


def _sqlite_begin(connection: sa.Connection) -> None:
    # A write transaction takes the write lock at once, so that what it read before writing cannot
    # change meanwhile; a deferred one would fail with "database is locked" when it tries to upgrade.
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def recipe_for(url: str, sqlite_path: Path) -> EngineRecipe:
    """The recipe for a configured database URL; empty: the SQLite file at `sqlite_path`."""
    if not url:
        return SqliteRecipe(sqlite_path)
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "sqlite":
        return SqliteRecipe(Path(url.split(":///", 1)[1]) if ":///" in url else sqlite_path)
    # PostgreSQL plugs in here: a recipe whose create_engine() makes a `postgresql+psycopg://` engine.
    raise StorageError(f"Databases van het soort '{scheme}' worden (nog) niet ondersteund; laat de "
                       "database-URL leeg voor SQLite in de datamap.")
