"""The PostgreSQL that tests start: PostgreSQL 18 on loopback, a fresh database per test, and the two
primitives replicas will share work with (row locks skipped by others, advisory locks that die with
their session)."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from tests.processes import ChildProcess


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_an_empty_database_of_its_own(postgres_url, turn):
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass('marker')").fetchone()[0] is None, "left by another test"
        conn.execute("CREATE TABLE marker (turn int)")
        conn.execute("INSERT INTO marker VALUES (%s)", (turn,))


def test_it_is_postgresql_18_on_loopback(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])
        address = conn.execute("SELECT host(inet_server_addr())").fetchone()[0]
    assert version >= 180000 and address == "127.0.0.1"


def test_two_workers_take_different_rows_with_skip_locked(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as setup:
        setup.execute("CREATE TABLE questions (id int PRIMARY KEY)")
        setup.execute("INSERT INTO questions SELECT generate_series(1, 3)")
    take = "SELECT id FROM questions ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    with psycopg.connect(postgres_url) as first, psycopg.connect(postgres_url) as second:
        assert first.execute(take).fetchone() == (1,)
        assert second.execute(take).fetchone() == (2,), "the row the first worker holds is skipped"
        with psycopg.connect(postgres_url) as third:
            assert third.execute(take).fetchone() == (3,)
            third.rollback()
            first.rollback()  # the first worker gives its row back (or dies): it can be taken again
            assert third.execute(take).fetchone() == (1,)


def test_an_advisory_lock_is_freed_when_its_holder_dies(postgres_url):
    holder_code = ("import sys, psycopg\n"
                   "conn = psycopg.connect(sys.argv[1], autocommit=True)\n"
                   "conn.execute('SELECT pg_advisory_lock(23)')\n"
                   "print('held', flush=True)\n"
                   "sys.stdin.read()\n")
    with ChildProcess([sys.executable, "-c", holder_code, postgres_url], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE) as holder, psycopg.connect(postgres_url, autocommit=True) as other:
        assert holder.stdout.readline() == b"held\n"
        assert other.execute("SELECT pg_try_advisory_lock(23)").fetchone()[0] is False
        holder.kill()  # SIGKILL: no unlock, no goodbye to the server
        holder.wait()
        # The server notices the dead connection and ends its session, and with it the lock.
        other.execute("SET lock_timeout = '20s'")
        other.execute("SELECT pg_advisory_lock(23)")
        assert other.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                             ).fetchone()[0] == 1
