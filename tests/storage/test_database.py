"""bot/storage: the SQLite recipe, write transactions across processes, named migrations, the clean-up
after an erasure, and one database for every store."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bot.insights.feedback import FeedbackStore
from bot.people.first_contact import GREETED, FirstContacts
from bot.storage.database import Database, Storage
from bot.storage.engines import SqliteRecipe, StorageError, recipe_for
from bot.storage.migrations import Migration, add_column, applied_migrations, create_tables
from bot.storage.stores import Person
from tests.processes import ChildProcess, run_child


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sqlite_file_is_private_and_runs_with_wal_secure_delete_foreign_keys_and_a_busy_timeout(tmp_path):
    path = tmp_path / "sub" / "store.sqlite3"
    database = Database(SqliteRecipe(path))
    with database.write() as db:
        db.exec_driver_sql("CREATE TABLE t (x TEXT)")
        db.exec_driver_sql("INSERT INTO t VALUES ('a')")
    with database.read() as db:
        pragmas = {name: db.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "secure_delete", "foreign_keys", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "secure_delete": 1, "foreign_keys": 1, "busy_timeout": 30000}
    assert {p.name: mode(p) for p in path.parent.iterdir()} == {
        "store.sqlite3": 0o600, "store.sqlite3-wal": 0o600, "store.sqlite3-shm": 0o600}


def test_a_file_readable_by_others_is_made_private_when_opened(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Database(SqliteRecipe(path))
    assert mode(path) == 0o600


def test_an_erased_question_is_gone_from_the_file_and_the_wal(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(Storage().database(path))
    secret = "Ik ben zwanger, hoeveel verlof krijg ik? zwaardvis-4711"
    store.record_answer(question=secret, answer="Zestien weken.", sources=[], user="U0ALICE", channel="D1")
    store.record_answer(question="Hoe laat gaat de kantine open?", answer="Om 12 uur.", sources=[], user="U0BOB",
                        channel="C1")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"zwaardvis-4711" in raw, "the test looks in the right files"

    store.forget(Person("U0ALICE", ("U0ALICE",)))
    store.database.after_erasure()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"zwaardvis-4711" not in raw and b"kantine" in raw


def at_once(code: str, *args: str, count: int) -> list[tuple[int, str, str]]:
    """`count` Python processes running `code` at the same time: (exit status, stdout, stderr) of each."""
    with contextlib.ExitStack() as stack:
        children = [stack.enter_context(ChildProcess([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                                                     stderr=subprocess.PIPE, text=True)) for _ in range(count)]
        outputs = [child.communicate(timeout=300) for child in children]
        return [(child.returncode, out, err) for child, (out, err) in zip(children, outputs, strict=True)]


COUNTER = """
import sys
from pathlib import Path
from bot.storage.database import Storage
database = Storage().database(Path(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    with database.write() as db:  # read, then write: a lost update if two writers interleave
        value = db.exec_driver_sql("SELECT value FROM counter").scalar()
        db.exec_driver_sql(f"UPDATE counter SET value = {value + 1}")
"""


def test_write_transactions_of_two_processes_lose_no_update(tmp_path):
    path = tmp_path / "counter.sqlite3"
    with Database(SqliteRecipe(path)).write() as db:
        db.exec_driver_sql("CREATE TABLE counter (value INTEGER)")
        db.exec_driver_sql("INSERT INTO counter VALUES (0)")
    writers = at_once(COUNTER, str(path), "150", count=2)
    assert [status for status, _, _ in writers] == [0, 0], [error for _, _, error in writers]
    with Database(SqliteRecipe(path)).read() as db:
        assert db.exec_driver_sql("SELECT value FROM counter").scalar() == 300


def _logged(name: str) -> Migration:
    def step(db: sa.Connection) -> None:
        db.exec_driver_sql("CREATE TABLE IF NOT EXISTS steps (name TEXT)")
        db.exec_driver_sql("INSERT INTO steps VALUES (?)", (name,))
    return Migration(name, step)


def test_migrations_run_once_in_order_and_are_recorded(tmp_path):
    database = Database(SqliteRecipe(tmp_path / "m.sqlite3"))
    assert database.migrate([_logged("a: one"), _logged("a: two")]) == ["a: one", "a: two"]
    assert database.migrate([_logged("a: one"), _logged("a: two"), _logged("a: three")]) == ["a: three"]
    with database.read() as db:
        assert [r[0] for r in db.exec_driver_sql("SELECT name FROM steps")] == ["a: one", "a: two", "a: three"]
        assert applied_migrations(db) == ["a: one", "a: two", "a: three"]
    with pytest.raises(ValueError):
        database.migrate([_logged("a: one"), _logged("a: one")])


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    database = Database(SqliteRecipe(tmp_path / "m.sqlite3"))
    table = sa.MetaData()
    sa.Table("things", table, sa.Column("id", sa.Text, primary_key=True))

    def broken(db: sa.Connection) -> None:
        raise RuntimeError("stuk")
    with pytest.raises(RuntimeError):
        database.migrate([Migration("b: things", create_tables(table)), Migration("b: broken", broken)])
    with database.read() as db:
        assert not sa.inspect(db).has_table("things") and applied_migrations(db) == []
    assert database.migrate([Migration("b: things", create_tables(table))]) == ["b: things"]


def test_a_column_is_added_once_also_where_an_earlier_version_added_it(tmp_path):
    database = Database(SqliteRecipe(tmp_path / "m.sqlite3"))
    with database.write() as db:
        db.exec_driver_sql("CREATE TABLE answers (id TEXT, abstained INTEGER NOT NULL DEFAULT 0)")
        db.exec_driver_sql("INSERT INTO answers (id) VALUES ('a')")
    column = sa.Column("abstained", sa.Integer, nullable=False, server_default="0")
    later = sa.Column("seq", sa.Integer)
    database.migrate([Migration("c: abstained", add_column("answers", column)),
                      Migration("c: seq", add_column("answers", later))])
    with database.read() as db:
        assert [c["name"] for c in sa.inspect(db).get_columns("answers")] == ["id", "abstained", "seq"]


MIGRATOR = """
import sys
from pathlib import Path
from bot.storage.database import Storage
from bot.storage.migrations import Migration
def step(db):
    db.exec_driver_sql("CREATE TABLE IF NOT EXISTS runs (pid INTEGER)")
    db.exec_driver_sql("INSERT INTO runs VALUES (?)", (__import__("os").getpid(),))
print(Storage().database(Path(sys.argv[1])).migrate([Migration("d: once", step)]))
"""


def test_two_processes_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    path = tmp_path / "m.sqlite3"
    migrators = at_once(MIGRATOR, str(path), count=3)
    assert sorted(output.strip() for _, output, _ in migrators) == ["['d: once']", "[]", "[]"]
    with Database(SqliteRecipe(path)).read() as db:
        assert db.exec_driver_sql("SELECT count(*) FROM runs").scalar() == 1


def test_with_one_database_url_every_store_shares_one_file(tmp_path):
    """The shape of a server database (replicas): every store's tables and migrations side by side."""
    storage = Storage(f"sqlite:///{tmp_path / 'alles.sqlite3'}")
    feedback = FeedbackStore(storage.database(tmp_path / "feedback.sqlite3"))
    contacts = FirstContacts(storage.database(tmp_path / "state" / "first_contacts.sqlite3"))
    assert feedback.database is contacts.database
    feedback.record_answer(question="v", answer="a", sources=[], user="U0ALICE", channel="C1")
    assert contacts.once(GREETED).first_time("U0ALICE")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3"] == ["alles.sqlite3"]
    with feedback.database.read() as db:
        assert {"answers", "votes", "first_contacts", "schema_migrations"} <= set(sa.inspect(db).get_table_names())
        assert [n for n in applied_migrations(db) if n.startswith("feedback")] == [
            m.name for m in FeedbackStore.migrations]


def test_an_engine_that_is_not_there_yet_is_a_dutch_error(tmp_path):
    with pytest.raises(StorageError, match="niet ondersteund"):
        recipe_for("mysql://db/vraagbaak", tmp_path / "x.sqlite3")
    assert recipe_for("", tmp_path / "x.sqlite3").describe() == f"sqlite:{tmp_path / 'x.sqlite3'}"


def test_a_database_that_cannot_be_created_is_a_dutch_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StorageError, match="Kan het databasebestand"):
        Database(SqliteRecipe(tmp_path / "file" / "x.sqlite3"))


def test_a_second_process_sees_a_write_at_once(tmp_path):
    path = tmp_path / "first_contacts.sqlite3"
    contacts = FirstContacts(Storage().database(path)).once(GREETED)
    assert contacts.first_time("U0ALICE")
    asks = ("import sys; from pathlib import Path; from bot.storage.database import Storage;"
            "from bot.people.first_contact import FirstContacts, GREETED;"
            "print(FirstContacts(Storage().database(Path(sys.argv[1]))).once(GREETED).knows(['U0ALICE']))")
    done = run_child([sys.executable, "-c", asks, str(path)], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_the_database_url_setting_puts_every_store_in_one_database_or_says_what_it_cannot(tmp_path, monkeypatch,
                                                                                         capsys):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    one = tmp_path / "alles.sqlite3"
    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", f"sqlite:///{one}")
    assert main(["--data-dir", str(tmp_path / "data"), "privacy", "export", "--user", "U0ALICE"]) == 0
    assert json.loads(capsys.readouterr().out)["first_contacts"] == {"greeted_in_messages_tab": False,
                                                                     "ai_notice_shown": False}
    with sqlite3.connect(one) as db:
        assert {"answers", "curated", "answered", "first_contacts"} <= {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not list((tmp_path / "data").glob("*.sqlite3"))

    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", "mysql://vraagbaak:geheim@db/vraagbaak")
    assert main(["--data-dir", str(tmp_path / "data"), "privacy", "forget", "--user", "U0ALICE"]) == 1
    err = capsys.readouterr().err
    assert "niet ondersteund" in err and "Traceback" not in err and "geheim" not in err
