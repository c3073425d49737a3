"""The schedule triggers real runs, and never two at once: a scheduled run, an admin's re-index and
another process share one lock; the second is refused ("Er loopt al een herindexering") or waits."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from bot.errors import ReindexBusyError
from bot.operations.scheduler import ReindexScheduler, ScheduledJob
from tests.scheduling.conftest import services_for, write_docs

pytestmark = pytest.mark.slow

INCREMENTAL = ScheduledJob("reindex", "* * * * *", False, "incrementele herindexering")
CONSISTENCY = ScheduledJob("consistency", "0 2 * * *", True, "volledige consistentiecontrole")


def wait_until(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def entered(reindexer) -> threading.Event:
    """Set when `reindexer.run` is called (the schedule has reached it), before the run starts."""
    called, run = threading.Event(), reindexer.run

    def calling(*args, **kwargs):
        called.set()
        return run(*args, **kwargs)
    reindexer.run = calling
    return called


class HeldRun:
    """A real run in a thread, stopped in the middle of embedding until `release()`."""

    def __init__(self, run: Callable[..., object]) -> None:
        self.inside = threading.Event()
        self.gate = threading.Event()
        self.result: list[object] = []
        self.thread = threading.Thread(target=lambda: self.result.append(run(progress=self._hold)), daemon=True)

    def _hold(self, collection: str, done: int, total: int) -> None:
        self.inside.set()
        assert self.gate.wait(60), "the held run was never released"

    def __enter__(self) -> "HeldRun":
        self.thread.start()
        assert self.inside.wait(60), "the run never reached embedding"
        return self

    def __exit__(self, *exc: object) -> None:
        self.gate.set()
        self.thread.join(60)


def test_a_short_interval_triggers_real_runs_that_follow_the_documents(tmp_path: Path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections, reindex_cron="*/1 * * * * *")
    schedule = ReindexScheduler.from_settings(services.settings, services.reindexer)
    schedule.start()
    try:
        wait_until(lambda: services.store.stats()["documents"] == 4, 60, "the first scheduled run")
        write_docs(two_collections["hr"],
                   {"fiets.md": "# Fietsplan\n\nMet het fietsplan koop je belastingvrij een fiets.\n"})
        (two_collections["it"] / "vpn.md").unlink()
        wait_until(lambda: "fiets.md" in services.store.documents("hr")
                   and "vpn.md" not in services.store.documents("it"), 60, "a later run to follow the change")
        last = services.reindexer.last_run()
        assert last is not None and last.trigger == "schema:reindex" and not last.full
        assert schedule.next_run_times()["reindex"] is not None
    finally:
        schedule.shutdown()
    assert not schedule.running


def test_a_second_request_is_refused_while_a_run_is_busy(tmp_path: Path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)
    other_process = services_for(tmp_path, embedder, two_collections)  # own Reindexer, same data folder
    with HeldRun(services.reindexer.run) as held:
        assert services.reindexer.is_running()
        with pytest.raises(ReindexBusyError, match="Er loopt al een herindexering"):
            services.reindexer.run()
        with pytest.raises(ReindexBusyError, match="Er loopt al een herindexering"):
            other_process.reindexer.run()  # the Indexer's file lock
        assert other_process.reindexer.is_running()  # and it can tell
    assert held.result and held.result[0].ok
    assert not services.reindexer.is_running() and not other_process.reindexer.is_running()
    assert other_process.reindexer.run().ok  # free again


def test_a_scheduled_run_meeting_a_busy_one_is_skipped_or_waits_as_configured(tmp_path: Path, embedder,
                                                                              two_collections):
    refusing = services_for(tmp_path, embedder, two_collections, reindex_when_busy="refuse")
    schedule = ReindexScheduler.from_settings(refusing.settings, refusing.reindexer)
    skipped: list[str] = []
    schedule.on_skipped = lambda job: skipped.append(job.id)
    with HeldRun(refusing.reindexer.run):
        schedule.run_job(INCREMENTAL)  # returns at once: refused
        assert skipped == ["reindex"]

    waiting = services_for(tmp_path, embedder, two_collections, reindex_when_busy="wait")
    schedule = ReindexScheduler.from_settings(waiting.settings, waiting.reindexer)
    schedule.on_skipped = lambda job: skipped.append(job.id)
    reached = entered(waiting.reindexer)
    with HeldRun(refusing.reindexer.run) as held:
        scheduled = threading.Thread(target=schedule.run_job, args=(INCREMENTAL,), daemon=True)
        scheduled.start()
        assert reached.wait(30), "the schedule never asked for a run"
        held.gate.set()
        scheduled.join(60)
    assert not scheduled.is_alive()
    assert skipped == ["reindex"], "the waiting schedule must not skip"  # only the refusing one did
    last = waiting.reindexer.last_run()
    assert last.trigger == "schema:reindex" and last.ok and last.started_at >= held.result[0].started_at


def test_the_nightly_check_waits_for_a_busy_run_instead_of_losing_the_night(tmp_path: Path, embedder,
                                                                            two_collections):
    services = services_for(tmp_path, embedder, two_collections, reindex_when_busy="refuse")
    schedule = ReindexScheduler.from_settings(services.settings, services.reindexer)
    skipped: list[str] = []
    schedule.on_skipped = lambda job: skipped.append(job.id)
    busy = HeldRun(services.reindexer.run)  # takes the real run before `entered` wraps it
    reached = entered(services.reindexer)
    with busy as held:
        nightly = threading.Thread(target=schedule.run_job, args=(CONSISTENCY,), daemon=True)
        nightly.start()
        assert reached.wait(30), "the schedule never asked for the nightly run"
        held.gate.set()
        nightly.join(60)
    assert not nightly.is_alive() and skipped == []
    last = services.reindexer.last_run()
    assert last.trigger == "schema:consistency" and last.full and last.ok


def test_the_consistency_check_repairs_what_an_incremental_run_trusts(tmp_path: Path, embedder, two_collections):
    sections = "\n\n".join(f"## Deel {n}\n\n" + " ".join(["Regels over thuiswerken en reiskosten."] * 60)
                           for n in range(3))
    write_docs(two_collections["hr"], {"lang.md": f"# Lang document\n\n{sections}\n"})
    services = services_for(tmp_path, embedder, two_collections)
    services.reindexer.run()
    chunks = services.store.stats()["collections"]["hr"]["chunks"]
    table = services.store._open()
    assert table.count_rows("doc_id = 'lang.md'") >= 2
    table.delete("doc_id = 'lang.md' AND ordinal = 1")  # a chunk lost behind the indexer's back

    incremental = services.reindexer.run()
    assert incremental.reports["hr"].chunks_embedded == 0  # same hashes: it trusts the table
    assert services.store.stats()["collections"]["hr"]["chunks"] == chunks - 1

    schedule = ReindexScheduler.from_settings(services.settings, services.reindexer)
    schedule.run_job(CONSISTENCY)
    assert services.store.stats()["collections"]["hr"]["chunks"] == chunks
    assert services.reindexer.last_run().full


@pytest.mark.parametrize("when_busy", ["refuse", "wait"])
def test_an_admin_reindex_in_slack_meets_a_scheduled_run(tmp_path: Path, embedder, two_collections, slack,
                                                         when_busy):
    from tests.scheduling.conftest import ADMIN
    from bot.services import Services
    from tests.slack.conftest import CHANNEL, bot_settings, running_bot

    settings = bot_settings(tmp_path, slack, sources=two_collections, admin_user_ids=[ADMIN],
                            reindex_cron="", consistency_cron="", reindex_when_busy=when_busy)
    services = Services(settings, embedder=embedder)
    with running_bot(slack, services):
        scheduled = lambda progress: services.reindexer.run(progress=progress, trigger="schema:reindex")  # noqa: E731
        with HeldRun(scheduled) as held:
            _, url = slack.push_command("/vraagbaak", "reindex", user=ADMIN, channel=CHANNEL)
            first = slack.wait_for_response(url).body["text"]
            assert "loopt al een herindexering" in first.lower()
            held.gate.set()
            held.thread.join(60)
        if when_busy == "refuse":
            assert "start zodra" not in first
            assert services.reindexer.last_run().trigger == "schema:reindex"
        else:  # told it waits, then it runs once the scheduled run is done
            assert "start zodra die klaar is" in first
            done = slack.wait_for_response(url, lambda r: "Herindexering klaar" in r.body.get("text", ""),
                                           timeout=60)
            assert "Herindexering klaar" in done.body["text"]
            assert services.reindexer.last_run().trigger == f"slack:{ADMIN}"
