"""The durable question queue (bot/storage/queue.py) and the database lock replicas take turns with
(Database.try_lock), on SQLite and on the tests' PostgreSQL 18: one row per Slack event, claimers in
several processes never take the same question, an expired lease is taken over, a replica whose lease
was taken over cannot complete (nor post), and a lock dies with the process that held it."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from bot.services import Services
from bot.storage.database import Storage
from bot.storage.queue import QuestionQueue
from bot.storage.stores import Person
from tests.conftest import make_settings
from tests.processes import ChildProcess


class Clock:
    """Seconds since the epoch that the test moves (leases expire without sleeping)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def queue_on(database_url: str, tmp_path, **options) -> QuestionQueue:
    """A replica's view of the queue: a Storage of its own, as another process would have."""
    return QuestionQueue(Storage(database_url).database(tmp_path / "questions.sqlite3"), **options)


def event(n: int, user: str = "U0ALICE") -> dict:
    return {"type": "app_mention", "user": user, "text": f"vraag {n}", "ts": f"1.{n:06d}"}


def test_an_event_is_queued_once_whoever_offers_it_again(database_url, tmp_path):
    first, second = queue_on(database_url, tmp_path), queue_on(database_url, tmp_path)
    assert first.offer("Ev1", "U0ALICE", event(1))
    assert not first.offer("Ev1", "U0ALICE", event(1)), "Slack's retry of the same envelope"
    assert not second.offer("Ev1", "U0ALICE", event(1)), "the same envelope at another replica"
    assert second.offer("Ev2", "U0BOB", event(2, "U0BOB"))
    claim = first.claim("replica-1")
    assert (claim.event_id, claim.payload, claim.attempt) == ("Ev1", event(1), 1)
    assert second.claim("replica-2").event_id == "Ev2" and first.claim("replica-1") is None


# A replica: claims until the queue is empty, completes each, prints what it took.
CLAIMER = """
import json, sys
from pathlib import Path
from bot.storage.database import Storage
from bot.storage.queue import QuestionQueue
queue = QuestionQueue(Storage(sys.argv[1]).database(Path(sys.argv[2])))
print("ready", flush=True)
sys.stdin.readline()  # all start together
taken = []
while (claim := queue.claim(sys.argv[3])) is not None:
    taken.append(claim.event_id)
    assert queue.complete(claim), claim
print(json.dumps(taken))
"""


def test_claimers_in_four_processes_never_take_the_same_question(database_url, tmp_path):
    queue = queue_on(database_url, tmp_path)
    events = [f"Ev{n}" for n in range(120)]
    for n, event_id in enumerate(events):
        queue.offer(event_id, "U0ALICE", event(n))
    with contextlib.ExitStack() as stack:
        claimers = [stack.enter_context(ChildProcess(
            [sys.executable, "-c", CLAIMER, database_url, str(tmp_path / "questions.sqlite3"), f"replica-{n}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)) for n in range(4)]
        for claimer in claimers:
            assert claimer.stdout.readline().strip() == "ready"
        for claimer in claimers:
            claimer.stdin.write("go\n")
            claimer.stdin.flush()
        outputs = [claimer.communicate(timeout=300) for claimer in claimers]
    assert [c.returncode for c in claimers] == [0] * 4, [err for _, err in outputs]
    taken = [event_id for out, _ in outputs for event_id in json.loads(out)]
    assert [e for e, count in Counter(taken).items() if count > 1] == [], "a question taken twice"
    assert sorted(taken) == sorted(events)
    assert sum(1 for out, _ in outputs if json.loads(out)) >= 2, "the claimers ran side by side"


def test_an_expired_lease_is_taken_over_and_the_late_replica_cannot_complete(database_url, tmp_path):
    clock = Clock()
    slow, other = (queue_on(database_url, tmp_path, lease_s=60, clock=clock) for _ in range(2))
    slow.offer("Ev1", "U0ALICE", event(1))
    first = slow.claim("slow")
    clock.now += 30
    assert other.claim("other") is None, "the lease still holds"
    assert slow.renew(first), "renewed: 60 more seconds from now"
    clock.now += 61
    second = other.claim("other")
    assert (second.event_id, second.attempt) == ("Ev1", 2)
    assert not slow.renew(first), "the slow replica must not post"
    assert not slow.complete(first)
    assert other.renew(second) and other.complete(second)
    assert not other.complete(second), "completed once"
    clock.now += 3600
    assert other.claim("other") is None, "an answered question is not taken again"


KILLED_WHILE_ANSWERING = """
import os, signal, sys
from pathlib import Path
from bot.storage.database import Storage
from bot.storage.queue import QuestionQueue
claim = QuestionQueue(Storage(sys.argv[1]).database(Path(sys.argv[2])), lease_s=60).claim("doomed")
print(claim.event_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # dies in the middle of answering: no complete, no release
"""


def test_the_question_of_a_killed_replica_is_answered_by_another_once_its_lease_expires(database_url, tmp_path):
    queue = queue_on(database_url, tmp_path)
    queue.offer("Ev1", "U0ALICE", event(1))
    queue.offer("Ev2", "U0BOB", event(2, "U0BOB"))
    with ChildProcess([sys.executable, "-c", KILLED_WHILE_ANSWERING, database_url,
                       str(tmp_path / "questions.sqlite3")], stdout=subprocess.PIPE, text=True) as doomed:
        assert doomed.stdout.readline().strip() == "Ev1"
        assert doomed.wait(timeout=60) < 0
    assert queue.claim("survivor").event_id == "Ev2", "Ev1 is still leased to the dead replica"
    later = queue_on(database_url, tmp_path, clock=lambda: time.time() + 61)
    taken_over = later.claim("survivor")
    assert (taken_over.event_id, taken_over.attempt) == ("Ev1", 2)
    assert later.complete(taken_over)


def test_a_released_question_is_taken_at_once_and_one_that_fails_every_time_is_left(database_url, tmp_path):
    clock = Clock()
    queue = queue_on(database_url, tmp_path, lease_s=60, max_attempts=2, clock=clock)
    queue.offer("Ev1", "U0ALICE", event(1))
    assert queue.release(queue.claim("stopping")), "a shutdown gives it back"
    assert queue.claim("next").attempt == 2
    clock.now += 61  # the second replica died too
    assert queue.claim("third") is None and queue.stuck() == 1
    queue.offer("Ev2", "U0BOB", event(2, "U0BOB"))
    assert queue.waiting_before("Ev2") == 0, "no one answers the stuck question: it is not ahead of anyone"


def test_the_queue_place_counts_the_questions_before_it_not_answered_yet(database_url, tmp_path):
    queue = queue_on(database_url, tmp_path)
    for n in range(5):
        queue.offer(f"Ev{n}", "U0ALICE", event(n))
    assert queue.complete(queue.claim("replica-1"))  # Ev0 answered
    queue.claim("replica-2")  # Ev1 being answered at another replica: still ahead of the rest
    assert [queue.waiting_before(f"Ev{n}") for n in range(5)] == [0, 0, 1, 2, 3]
    assert queue.waiting_before("Ev-unknown") == 0


def test_the_queue_is_in_the_privacy_registry(database_url, tmp_path):
    services = Services(make_settings(tmp_path / "data", database_url=database_url))
    queue = services.question_queue
    assert services.personal_data.stores["question_queue"] is queue
    queue.offer("Ev1", "U0ALICE", event(1))
    queue.offer("Ev2", "U0BOB", event(2, "U0BOB"))
    alice = services.pseudonymizer.person("U0ALICE")
    assert [q["event"]["text"] for q in services.personal_data.export(alice)["question_queue"]] == ["vraag 1"]
    assert services.personal_data.forget(alice)["question_queue"] == 1
    assert services.personal_data.export(alice)["question_queue"] == []

    bob = services.pseudonymizer.person("U0BOB")
    assert queue.complete(queue.claim("replica-1"))
    assert queue.purge(datetime.now(timezone.utc) + timedelta(hours=23)) == 0
    assert queue.purge(datetime.now(timezone.utc) + timedelta(hours=25)) == 1, "answered: kept a day"
    assert queue.export(bob) == []
    services.close()


def test_forgetting_someone_deletes_the_question_they_are_waiting_for(database_url, tmp_path):
    queue = queue_on(database_url, tmp_path)
    queue.offer("Ev1", "U0ALICE", event(1))
    assert queue.forget(Person("U0ALICE", ("U0ALICE",))) == 1 and queue.claim("replica-1") is None


# --- the lock that keeps two replicas from re-indexing at once -----------------------------------------

HOLDER = """
import sys
from pathlib import Path
from bot.storage.database import Storage
lock = Storage(sys.argv[1]).database(Path(sys.argv[2])).try_lock("reindex")
print("held" if lock else "busy", flush=True)
sys.stdin.read()
"""


def test_one_replica_at_a_time_holds_a_lock_and_it_dies_with_its_holder(database_url, tmp_path):
    path = tmp_path / "questions.sqlite3"
    here = Storage(database_url).database(path)
    with ChildProcess([sys.executable, "-c", HOLDER, database_url, str(path)], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout.readline().strip() == "held"
        assert here.try_lock("reindex") is None, "another replica holds it"
        other = here.try_lock("digest")
        assert other is not None and other.alive(), "another name is another lock"
        other.release()
        holder.kill()  # SIGKILL: no release
        holder.wait()
    deadline = time.monotonic() + 30  # PostgreSQL ends the dead client's session when it sees the socket close
    while (lock := here.try_lock("reindex")) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lock is not None and lock.alive()
    with ChildProcess([sys.executable, "-c", HOLDER, database_url, str(path)], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True) as late:
        assert late.stdout.readline().strip() == "busy"
        late.stdin.close()
        late.wait(timeout=60)
    lock.release()
    assert not lock.alive()
    with here.try_lock("reindex") as again:
        assert again is not None
    here.close()


@pytest.mark.parametrize("name", ["reindex", "a name with spaces and ü"])
def test_a_lock_name_gives_the_same_key_in_every_process(name):
    from bot.storage.engines import _lock_key
    key = _lock_key(name)
    assert -2**31 <= key < 2**31 and key == _lock_key(name)
