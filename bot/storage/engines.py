"""How a connection to each kind of database is made: the one place that knows an engine's quirks.

SQLite is the embedded default: one file per store, made by `SqliteRecipe` (0600 files, WAL,
`secure_delete`, a busy timeout, foreign keys, and write transactions that take the write lock at
BEGIN). PostgreSQL, for several replicas on one database, is `PostgresRecipe` (psycopg 3 through
SQLAlchemy's postgresql+psycopg dialect), chosen by the URL's scheme in `recipe_for`; the stores,
their SQL (SQLAlchemy Core) and their migrations stay the same, and so do the guarantees they rely
on: write transactions exclude each other (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level
advisory lock taken at BEGIN), a read transaction sees one snapshot (PostgreSQL: REPEATABLE READ,
READ ONLY).
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
CONNECT_TIMEOUT_S = 10  # a PostgreSQL server that does not answer
ERASURE_LOCK_TIMEOUT_S = 10  # how long VACUUM FULL after an erasure waits for a table in use
# PostgreSQL advisory locks (two-key form): Vraagbaak's space, and a key per purpose in it
ADVISORY_SPACE = 0x56426B  # "VBk"
WRITE_LOCK = 1


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

    def unreachable(self, error: Exception) -> str:
        """The Dutch message for a connection that could not be made (never a password)."""


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

    def unreachable(self, error: Exception) -> str:
        return f"Kan het databasebestand {self.path} niet openen: {_first_line(error)}"


class PostgresRecipe:
    """A PostgreSQL database (`postgresql://user:password@host:port/name`), shared by every store
    and every replica. Connections are checked before use (a server restart costs no failed
    question), and every connection names itself `vraagbaak` in pg_stat_activity."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            parsed = sa.make_url(url)
        except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
            raise StorageError("De database-URL is geen geldige URL; verwacht "
                               "postgresql://gebruiker:wachtwoord@server:5432/database.") from None
        if not parsed.database:
            raise StorageError(f"De database-URL {parsed.render_as_string(hide_password=True)} noemt geen "
                               "database; verwacht postgresql://gebruiker:wachtwoord@server:5432/database.")
        self.url = parsed.set(drivername="postgresql+psycopg")

    def create_engine(self) -> sa.Engine:
        try:
            engine = sa.create_engine(self.url, pool_pre_ping=True, connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "vraagbaak"})
        except ModuleNotFoundError as exc:
            raise StorageError("Voor PostgreSQL is het pakket psycopg nodig (pip install 'psycopg[binary]'); "
                               f"het ontbreekt: {exc.name}.") from exc
        sa.event.listen(engine, "begin", _postgres_begin)
        return engine

    def lock_for_migrations(self, connection: sa.Connection) -> None:
        """Nothing more: the migrating transaction is a write transaction, which holds the
        database's write lock from its first statement to its end."""

    def after_erasure(self, engine: sa.Engine) -> None:
        # A DELETE leaves the old row versions in the table's pages; plain VACUUM makes their space
        # free but leaves their bytes there until new rows overwrite them. VACUUM FULL writes each
        # table anew without them (and its TOAST data and indexes), so the database's files hold no
        # copy; the old files are unlinked, not overwritten. It holds an exclusive lock on each
        # table for as long as the copy takes (milliseconds for these tables), and cannot run
        # inside a transaction. The WAL still holds the rows until the server recycles its
        # segments: deploy/PRIVACY.md says how long.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            tables = list(connection.exec_driver_sql(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = current_schema() AND tableowner = current_user ORDER BY tablename").scalars())
            if not tables:
                return
            connection.exec_driver_sql(f"SET lock_timeout = '{ERASURE_LOCK_TIMEOUT_S}s'")
            try:
                connection.exec_driver_sql(f"VACUUM FULL {', '.join(tables)}")
            except sa.exc.OperationalError as exc:  # a long read held a table: rows gone, bytes still in free space
                log.warning("VACUUM FULL after an erasure did not get its locks (%s); the erased rows' bytes stay "
                            "in free space until the next erasure or purge, or until new rows overwrite them",
                            _first_line(exc))
                connection.exec_driver_sql(f"VACUUM {', '.join(tables)}")

    def describe(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def unreachable(self, error: Exception) -> str:
        reason = _first_line(error)
        if self.url.password:
            reason = reason.replace(str(self.url.password), "***")
        return f"Kan de database {self.describe()} niet bereiken: {reason}"


def _first_line(error: Exception) -> str:
    """The driver's own reason (SQLAlchemy wraps it, and adds a link and the statement below)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


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


def _postgres_begin(connection: sa.Connection) -> None:
    # The same guarantees as SQLite's: write transactions take one lock for the whole database at
    # their first statement (released at COMMIT or ROLLBACK, and when a replica's connection dies),
    # so what a writer read before writing cannot change meanwhile; a read sees one snapshot.
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":  # VACUUM after an erasure: no transaction
        return
    if options.get(WRITE, False):
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%(space)s, %(key)s)",
                                   {"space": ADVISORY_SPACE, "key": WRITE_LOCK})
    else:
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def recipe_for(url: str, sqlite_path: Path) -> EngineRecipe:
    """The recipe for a configured database URL; empty: the SQLite file at `sqlite_path`."""
    if not url:
        return SqliteRecipe(sqlite_path)
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "sqlite":
        return SqliteRecipe(Path(url.split(":///", 1)[1]) if ":///" in url else sqlite_path)
    if scheme in ("postgresql", "postgres"):
        return PostgresRecipe(url)
    raise StorageError(f"Databases van het soort '{scheme}' worden niet ondersteund: gebruik postgresql://… "
                       "of laat de database-URL leeg voor SQLite in de datamap.")
