"""Two `vraagbaak serve` replicas on one fake Slack with two Socket Mode connections, one index in an
S3 bucket, one PostgreSQL database and one llama-server: Slack spreads the questions over both, each
question is answered exactly once, by the replica it was delivered to, and a third process reads
every answer from the shared database. With the question queue (VRAAGBAAK_QUESTION_QUEUE), a replica
killed with SIGKILL in the middle of an answer loses nothing: the other takes its questions over
once their lease expires, and each is still answered exactly once."""

from __future__ import annotations

import json
import sys
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.fakes.slack import FakeSlack
from tests.processes import run_child
from tests.slack.load import ask_all
from tests.slack.replicas import REPO, answered_by, build_index, replica_environment, start_replica

pytestmark = pytest.mark.slow  # the replicas load the packaged embedding model; llama-server SmolLM2

QUESTIONS = 12


def exported(environment: dict[str, str]) -> list[dict]:
    """`vraagbaak feedback export --all` in a process of its own, on the replicas' database."""
    done = run_child([sys.executable, "-m", "bot.cli", "feedback", "export", "--all"], env=environment, cwd=REPO,
                     timeout=300, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_two_replicas_answer_every_question_once(tmp_path, s3_bucket, postgres_url, llama_server):
    with FakeSlack(seed=3) as slack:
        environment = replica_environment(tmp_path, slack, s3_bucket, llama_server.base_url,
                                          VRAAGBAAK_DATABASE_URL=postgres_url)
        build_index(environment)
        replicas = [start_replica(slack, tmp_path, name, environment) for name in ("a", "b")]
        try:
            asked = ask_all(slack, QUESTIONS)

            def all_answered():
                assert all(r.alive() for r in replicas), [r.tail() for r in replicas]
                return all(a.answers(slack, marked=False) for a in asked) or None
            slack.wait_until(all_answered, 600, "an answer to every question")
            slack.wait_for_acks([a.envelope_id for a in asked])
            assert [len(a.answers(slack, marked=False)) for a in asked] == [1] * QUESTIONS
            delivered = [answered_by(slack, replicas, a.event_id) for a in asked]
            assert all(len(d) == 1 for d in delivered), "each event went to one replica, once"
            assert Counter(d[0] for d in delivered).keys() == {"a", "b"}, "both replicas answered"
            stored = exported(environment)
            assert sorted(row["question"] for row in stored) == sorted(a.text for a in asked)
        finally:
            for replica in replicas:
                replica.process.stop()


def held_by(database_url: str, pid: int) -> list[str]:
    """The event ids of the questions a replica (by its process id) holds in the queue now."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as db:
            rows = db.execute(sa.text("SELECT event_id FROM question_queue WHERE state = 'claimed' "
                                      "AND worker LIKE :worker"), {"worker": f"%-{pid}"})
            return [row.event_id for row in rows]
    finally:
        engine.dispose()


def test_a_question_whose_replica_dies_mid_answer_is_answered_by_the_other(tmp_path, s3_bucket, postgres_url,
                                                                           llama_server):
    with FakeSlack(seed=5) as slack:
        environment = replica_environment(tmp_path, slack, s3_bucket, llama_server.base_url,
                                          VRAAGBAAK_DATABASE_URL=postgres_url, VRAAGBAAK_QUESTION_QUEUE="true",
                                          VRAAGBAAK_QUESTION_LEASE_SECONDS="6")
        build_index(environment)
        replicas = [start_replica(slack, tmp_path, name, environment) for name in ("a", "b")]
        victim, survivor = replicas
        try:
            asked = ask_all(slack, QUESTIONS)
            by_event = {a.event_id: a for a in asked}

            def victim_is_writing():
                assert all(r.alive() for r in replicas), [r.tail() for r in replicas]
                writing = [e for e in held_by(postgres_url, victim.process.pid)
                           if e in by_event and slack.calls_to("chat.startStream")
                           and any(c.params.get("thread_ts") == by_event[e].thread_ts
                                   for c in slack.calls_to("chat.startStream"))]
                return writing or None
            interrupted = slack.wait_until(victim_is_writing, 300, "replica a in the middle of an answer")
            victim.kill()
            assert not by_event[interrupted[0]].answers(slack, marked=False), "killed before it finished"

            def all_answered():
                assert survivor.alive(), survivor.tail()
                return all(a.answers(slack, marked=False) for a in asked) or None
            slack.wait_until(all_answered, 600, "an answer to every question, the interrupted ones too")
            assert [len(a.answers(slack, marked=False)) for a in asked] == [1] * QUESTIONS
            assert held_by(postgres_url, survivor.process.pid) == []
        finally:
            for replica in replicas:
                replica.process.stop()
