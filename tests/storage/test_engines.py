"""The storage layer on each engine it has: SQLite (a file per store, the default) and PostgreSQL (one
database for every store and every replica, `VRAAGBAAK_DATABASE_URL=postgresql://…`), against the
real PostgreSQL 18 that tests/servers starts. The same stores, migrations and privacy loops run on
both; what only PostgreSQL needs (a Dutch error that names no password, VACUUM FULL after an
erasure) is tested on its own."""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.curation.types import CuratedAnswer
from bot.insights.feedback import ANSWERS, FeedbackStore
from bot.people.first_contact import AI_NOTICE, GREETED
from bot.people.followed_threads import ANSWERED
from bot.services import Services
from bot.storage.database import Database, Storage
from bot.storage.engines import PostgresRecipe, StorageError, recipe_for
from bot.storage.migrations import applied_migrations
from bot.storage.stores import Person
from tests.conftest import make_settings
from tests.processes import ChildProcess, run_child
from tests.servers.readiness import free_port

ALICE, BOB = "U0ALICE", "U0BOB"


def at_once(code: str, *args: str, count: int) -> list[tuple[int, str, str]]:
    """`count` Python processes running `code` at the same time: (exit status, stdout, stderr) of each."""
    with contextlib.ExitStack() as stack:
        children = [stack.enter_context(ChildProcess([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                                                     stderr=subprocess.PIPE, text=True)) for _ in range(count)]
        outputs = [child.communicate(timeout=300) for child in children]
        return [(child.returncode, out, err) for child, (out, err) in zip(children, outputs, strict=True)]


# A process that opens the database (as each replica does at its start) and migrates it.
MIGRATOR = """
import os, sys
from pathlib import Path
import sqlalchemy as sa
from bot.storage.database import Storage
from bot.storage.migrations import Migration
def step(db):
    db.execute(sa.text("CREATE TABLE runs (pid INTEGER)"))  # fails if a second migrator runs it too
    db.execute(sa.text("INSERT INTO runs VALUES (:pid)"), {"pid": os.getpid()})
print(Storage(sys.argv[1]).database(Path(sys.argv[2])).migrate([Migration("d: once", step)]))
"""


def test_replicas_opening_a_new_database_at_once_migrate_it_once(database_url, tmp_path):
    path = tmp_path / "m.sqlite3"
    migrators = at_once(MIGRATOR, database_url, str(path), count=4)
    assert [status for status, _, _ in migrators] == [0] * 4, [error for _, _, error in migrators]
    assert sorted(output.strip() for _, output, _ in migrators) == ["['d: once']", "[]", "[]", "[]"]
    database = Storage(database_url).database(path)
    with database.read() as db:
        assert db.execute(sa.text("SELECT count(*) FROM runs")).scalar() == 1
        assert applied_migrations(db) == ["d: once"]
    database.close()


COUNTER = """
import sys
from pathlib import Path
import sqlalchemy as sa
from bot.storage.database import Storage
database = Storage(sys.argv[1]).database(Path(sys.argv[2]))
for _ in range(int(sys.argv[3])):
    with database.write() as db:  # read, then write: a lost update if two writers interleave
        value = db.execute(sa.text("SELECT value FROM counter")).scalar()
        db.execute(sa.text("UPDATE counter SET value = :value"), {"value": value + 1})
"""


def test_write_transactions_of_two_replicas_lose_no_update(database_url, tmp_path):
    path = tmp_path / "counter.sqlite3"
    database = Storage(database_url).database(path)
    with database.write() as db:
        db.execute(sa.text("CREATE TABLE counter (value INTEGER)"))
        db.execute(sa.text("INSERT INTO counter VALUES (0)"))
    writers = at_once(COUNTER, database_url, str(path), "150", count=2)
    assert [status for status, _, _ in writers] == [0, 0], [error for _, _, error in writers]
    with database.read() as db:
        assert db.execute(sa.text("SELECT value FROM counter")).scalar() == 300
    database.close()


def test_a_read_sees_one_snapshot_while_another_replica_writes(database_url, tmp_path):
    path = tmp_path / "feedback.sqlite3"
    reader, writer = (FeedbackStore(Storage(database_url).database(path)) for _ in range(2))
    writer.record_answer(question="v1", answer="a", sources=[], user=ALICE, channel="C1")
    with reader.database.read() as db:
        before = db.execute(sa.select(sa.func.count()).select_from(ANSWERS)).scalar()
        writer.record_answer(question="v2", answer="a", sources=[], user=BOB, channel="C1")
        assert db.execute(sa.select(sa.func.count()).select_from(ANSWERS)).scalar() == before == 1
    assert len(list(reader.rows(include_unvoted=True))) == 2, "the next read sees the other replica's write at once"
    for store in (reader, writer):
        store.database.close()


def settings_on(database_url: str, data: Path, **overrides):
    return make_settings(data, database_url=database_url, **overrides)


def fill_every_store(services: Services) -> None:
    """Something about Alice and about Bob in each store of personal data."""
    for user in (ALICE, BOB):
        answer = services.feedback.record_answer(question=f"vraag van {user}", answer="a", sources=[], user=user,
                                                 channel="C1")
        services.feedback.vote(answer, user=user, vote="up")
        services.followed_threads.remember("C1", f"1.{user}", user)
        assert services.first_contacts.once(GREETED).first_time(user)
        assert services.first_contacts.once(AI_NOTICE).first_time(user)
        services.curated.store.insert(CuratedAnswer(
            id=f"vast-{user}", question=f"vraag {user}", answer="antwoord", sources=[], owner=user, collection=None,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), decided_by=user),
            np.ones(4, dtype=np.float32), "test")


def test_export_forget_and_purge_go_through_every_store(database_url, tmp_path):
    services = Services(settings_on(database_url, tmp_path / "data", follow_up_days=7, retention_days=30))
    fill_every_store(services)
    registry = services.personal_data
    alice, bob = (services.pseudonymizer.person(user) for user in (ALICE, BOB))

    exported = registry.export(alice)
    assert set(exported) == {"feedback", "curated_answers", "followed_threads", "first_contacts"}
    assert all(exported.values()), exported
    counts = registry.forget(alice)
    assert all(count > 0 for count in counts.values()), counts
    emptied = registry.export(alice)
    assert not emptied["feedback"]["answers_asked"] and not emptied["followed_threads"]
    assert not emptied["curated_answers"]
    assert emptied["first_contacts"] == {"greeted_in_messages_tab": False, "ai_notice_shown": False}
    kept = registry.export(bob)
    assert kept["feedback"]["answers_asked"] and kept["followed_threads"] and kept["curated_answers"]

    long_ago = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat(timespec="seconds")
    with services.feedback.database.write() as db:
        db.execute(ANSWERS.update().values(created_at=long_ago))
    with services.followed_threads.database.write() as db:
        db.execute(ANSWERED.update().values(answered_at=long_ago))
    # Bob's answer with his vote on it, his followed thread
    assert registry.purge() == {"feedback": 2, "curated_answers": 0, "followed_threads": 1, "first_contacts": 0}
    after = registry.export(bob)
    assert not after["feedback"]["answers_asked"] and not after["followed_threads"]
    assert after["curated_answers"] and after["first_contacts"]["greeted_in_messages_tab"]
    services.close()


def test_a_write_in_one_replica_is_exported_by_another(database_url, tmp_path):
    """Two processes on the same database (two replicas, or `serve` and the privacy command)."""
    first = Services(settings_on(database_url, tmp_path / "data"))
    first.feedback.vote(first.feedback.record_answer(question="Hoe laat?", answer="Om 12 uur.", sources=[], user=ALICE,
                                                     channel="C1"), user=ALICE, vote="down")
    env = {"VRAAGBAAK_DATABASE_URL": database_url}
    done = run_child([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path / "data"), "privacy", "export",
                      "--user", ALICE], cwd=tmp_path, env=_environment(env), capture_output=True, text=True,
                     timeout=300)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    [asked] = document["feedback"]["answers_asked"]
    assert asked["question"] == "Hoe laat?" and asked["votes"][0]["vote"] == "down"
    first.close()


def _environment(extra: dict[str, str]) -> dict[str, str]:
    import os
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}, **extra}


def test_on_postgresql_every_store_shares_the_one_database(postgres_url, tmp_path):
    services = Services(settings_on(postgres_url, tmp_path / "data", follow_up_days=7))
    fill_every_store(services)
    databases = {id(store.database) for store in services.personal_data.stores.values()}
    assert len(databases) == 1
    with services.feedback.database.read() as db:
        assert {"answers", "votes", "curated", "answered", "first_contacts", "schema_migrations"} <= set(
            sa.inspect(db).get_table_names())
    assert not list((tmp_path / "data").rglob("*.sqlite3")), "nothing went to SQLite files"
    services.close()


def test_an_erased_question_is_gone_from_the_database_files_on_postgresql(postgres_server, postgres_url, tmp_path):
    """What SQLite's secure_delete and the WAL checkpoint give, VACUUM FULL gives the table files:
    the erased text is in no file of the database (the WAL is another matter: deploy/PRIVACY.md)."""
    store = FeedbackStore(Storage(postgres_url).database(tmp_path / "feedback.sqlite3"))
    secret = "Ik ben zwanger, hoeveel verlof krijg ik? zwaardvis-4711"
    store.record_answer(question=secret, answer="Zestien weken.", sources=[], user=ALICE, channel="D1")
    noise = secrets.token_hex(2000)  # long and random: kept out of line (TOAST), not compressed away
    store.record_answer(question=f"Hoe laat gaat de kantine open? {noise}", answer="Om 12 uur.", sources=[],
                        user=BOB, channel="C1")

    def files() -> bytes:
        with store.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            db.exec_driver_sql("CHECKPOINT")  # the server's buffers into the files
            oid = db.exec_driver_sql("SELECT oid FROM pg_database WHERE datname = current_database()").scalar()
        return b"".join(p.read_bytes() for p in (postgres_server.data / "base" / str(oid)).iterdir() if p.is_file())
    assert b"zwaardvis-4711" in files(), "the test looks in the right files"

    store.forget(Person(ALICE, (ALICE,)))
    assert b"zwaardvis-4711" in files(), "a DELETE alone leaves the row in the table's pages"
    store.database.after_erasure()
    raw = files()
    assert b"zwaardvis-4711" not in raw and b"kantine" in raw
    store.database.close()


def test_a_postgresql_server_that_cannot_be_reached_is_a_dutch_error_without_the_password(tmp_path, monkeypatch,
                                                                                         capsys):
    url = f"postgresql://vraagbaak:geheim-wachtwoord@127.0.0.1:{free_port()}/vraagbaak"  # nothing listens there
    with pytest.raises(StorageError, match="Kan de database .* niet bereiken") as raised:
        FeedbackStore(Storage(url).database(tmp_path / "feedback.sqlite3"))
    assert "geheim-wachtwoord" not in str(raised.value) and "***" in str(raised.value)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", url)
    assert main(["--data-dir", str(tmp_path / "data"), "privacy", "export", "--user", ALICE]) == 1
    captured = capsys.readouterr()
    assert "niet bereiken" in captured.err and "Traceback" not in captured.err
    assert "geheim-wachtwoord" not in captured.out + captured.err


def test_a_reason_that_repeats_the_password_is_told_without_it():
    recipe = PostgresRecipe("postgresql://vraagbaak:s3cr3t@db.intern:5432/vraagbaak")
    message = recipe.unreachable(RuntimeError('password authentication failed for "s3cr3t"\nDETAIL: meer'))
    assert message == ("Kan de database postgresql+psycopg://vraagbaak:***@db.intern:5432/vraagbaak niet bereiken: "
                       'password authentication failed for "***"')


@pytest.mark.parametrize("url, says", [
    ("postgresql://vraagbaak:geheim@db.intern:5432", "noemt geen database"),
    ("postgresql://vraagbaak:geheim@db.intern:poort/x", "geen geldige URL"),
    ("mysql://vraagbaak:geheim@db/vraagbaak", "niet ondersteund"),
])
def test_a_database_url_that_cannot_work_is_a_dutch_error_without_the_password(tmp_path, url, says):
    with pytest.raises(StorageError, match=says) as raised:
        Database(recipe_for(url, tmp_path / "x.sqlite3"))
    assert "geheim" not in str(raised.value)

