"""Replicas each run a SuspensionWatch on one database: the owner of a suspended curated answer gets
one DM, whichever replica sends it, also when both look at the same moment; a DM that failed, or
whose replica died before sending it, is still sent once by a later look."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from bot.answering.types import Source
from bot.curation import review
from bot.curation.answers import CuratedAnswers
from bot.curation.notices import SuspensionWatch
from bot.curation.store import CuratedStore, now
from bot.curation.types import CuratedAnswer
from bot.storage.database import Storage

OWNER = "U0BEHEER"
WAIT_S = 30


class NoEmbedder:
    """Telling owners embeds nothing; reaching this is a failure."""

    name = "geen"

    def embed(self, texts):
        raise AssertionError("the notices embedded a text")


class SlowSlack:
    """The DMs every replica sends, as one Slack sees them; a DM is held until `answer` is set, so a
    test can have a replica in the middle of sending while the other looks."""

    def __init__(self) -> None:
        self.dms: list[tuple[str, str]] = []  # (replica, answer id)
        self.sending = threading.Event()
        self.answer = threading.Event()
        self.refuse = False
        self._lock = threading.Lock()

    def observer(self, replica: str):
        def dm(answers: list[CuratedAnswer]) -> None:
            if self.refuse:
                raise RuntimeError("Slack refused")
            with self._lock:
                self.dms.extend((replica, a.id) for a in answers)
            self.sending.set()
            assert self.answer.wait(WAIT_S), "the test never let the DM through"
        return dm


def replica(url: str, folder: Path, name: str, slack: SlowSlack) -> SuspensionWatch:
    """One serving process's view: its own storage on the shared database, its watch, its DMs."""
    curated = CuratedAnswers(CuratedStore(Storage(url).database(folder / name / "curated.sqlite3")), NoEmbedder())
    curated.suspended.add(slack.observer(name))
    return SuspensionWatch(curated, retry_s=0)


def suspended_answer(watch: SuspensionWatch, answer_id: str = "c1") -> str:
    """A curated answer, suspended as a re-index in any process would."""
    store = watch.curated.store
    store.insert(CuratedAnswer(id=answer_id, question="Hoeveel vakantiedagen heb ik?", answer="25 [1].",
                               sources=[Source("Verlof", "verlof.md", collection="hr")], owner=OWNER,
                               collection="hr", created_at=now()), np.zeros(4, dtype=np.float32), "geen")
    store.suspend(answer_id, "Een bron is veranderd.", now())
    return answer_id


def test_two_watching_replicas_send_one_dm_when_they_look_at_the_same_moment(postgres_url, tmp_path):
    slack = SlowSlack()
    a, b = replica(postgres_url, tmp_path, "a", slack), replica(postgres_url, tmp_path, "b", slack)
    answer_id = suspended_answer(a)

    first = threading.Thread(target=a.check, name="replica-a-watch")
    first.start()
    try:
        assert slack.sending.wait(WAIT_S), "replica a never sent the DM"
        second = threading.Thread(target=b.check, name="replica-b-watch")
        second.start()
        second.join(10)
        assert not second.is_alive(), "replica b is sending the DM replica a is sending"
    finally:
        slack.answer.set()
        first.join(WAIT_S)
    assert slack.dms == [("a", answer_id)]
    assert a.curated.waiting_owners() == [] == b.curated.waiting_owners()
    a.check(), b.check()
    assert slack.dms == [("a", answer_id)], "told once"


def test_a_refused_dm_is_sent_once_by_the_next_look_of_either_replica(postgres_url, tmp_path):
    slack = SlowSlack()
    slack.answer.set()
    a, b = replica(postgres_url, tmp_path, "a", slack), replica(postgres_url, tmp_path, "b", slack)
    answer_id = suspended_answer(a)
    slack.refuse = True
    a.check()
    assert slack.dms == [] and b.curated.waiting_owners() == [answer_id]
    slack.refuse = False
    b.check()
    a.check()
    assert slack.dms == [("b", answer_id)]


def test_a_notice_claimed_by_a_replica_that_died_is_sent_by_another(postgres_url, tmp_path, monkeypatch):
    slack = SlowSlack()
    slack.answer.set()
    a, b = replica(postgres_url, tmp_path, "a", slack), replica(postgres_url, tmp_path, "b", slack)
    answer_id = suspended_answer(a)
    assert a.curated.store.claim_untold(stale_before="") == {answer_id}  # then replica a dies
    b.check()
    assert slack.dms == [], "a fresh claim is left to its replica"
    monkeypatch.setattr(review, "NOTICE_CLAIM_S", -1.0)  # the claim is older than a claim lasts
    b.check()
    assert slack.dms == [("b", answer_id)]


def test_one_process_on_sqlite_still_tells_the_owner_once(tmp_path):
    slack = SlowSlack()
    slack.answer.set()
    watch = replica("", tmp_path, "a", slack)
    answer_id = suspended_answer(watch)
    watch.check()
    watch.check()
    assert slack.dms == [("a", answer_id)]
