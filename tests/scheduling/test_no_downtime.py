"""No downtime: while a re-index runs, questions are answered from the previous version; the switch
is one commit; a `vraagbaak index` killed with SIGKILL half-way through embedding leaves the index
as it was, and the next run completes (the dead process's lock file does not block it)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.errors import ReindexBusyError
from knowledge.retrieval import Retriever
from knowledge.index.store import ChunkStore
from tests.scheduling.conftest import services_for, write_docs
from tests.scheduling.test_schedule_runs import HeldRun
from tests.processes import ChildProcess

pytestmark = pytest.mark.slow

QUESTION = "Hoeveel vakantiedagen heb ik per jaar?"


def many_docs(count: int, *, paragraphs: int = 6) -> dict[str, str]:
    """Documents of a few chunks each, so embedding them takes a while."""
    body = " ".join(f"Zin {i} over de regeling voor fietsen, parkeren en de kantine." for i in range(25))
    return {f"extra/regeling-{n:03d}.md": f"# Regeling {n}\n\n" + "\n\n".join(
        f"## Deel {p}\n\n{body}" for p in range(paragraphs)) for n in range(count)}


def ranked(store: ChunkStore, embedder) -> list[tuple[str, str]]:
    return [(h.chunk.collection, h.chunk.id) for h in Retriever(embedder, store).search(QUESTION, k=5)]


def test_questions_are_answered_from_the_previous_version_until_one_switch(tmp_path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)
    services.reindexer.run()
    reader = ChunkStore(services.settings.folders.index_location)  # as another process would open it
    before, version = ranked(reader, embedder), reader.version()
    write_docs(two_collections["hr"], {"fiets.md": "# Fietsplan\n\nMet het fietsplan koop je een fiets.\n"})
    write_docs(two_collections["hr"], many_docs(4, paragraphs=2))
    (two_collections["hr"] / "ziek.md").unlink()

    seen: list[int] = []
    errors: list[BaseException] = []
    stop, read_before_switch, read_after_switch = threading.Event(), threading.Event(), threading.Event()

    def keep_asking() -> None:
        # Its own store, as another process has it, and the writer's, as `vraagbaak serve` shares it.
        stores = [ChunkStore(services.settings.folders.index_location), services.store]
        while not stop.is_set():
            for store in stores:
                try:
                    documents = store.stats()["documents"]
                    Retriever(embedder, store).search(QUESTION, k=3)
                    seen.append(documents)
                    (read_after_switch if documents == 8 else read_before_switch).set()
                except BaseException as exc:  # noqa: BLE001 - any failure is a test failure
                    errors.append(exc)

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    with HeldRun(services.reindexer.run):  # embedding, not yet committed
        assert read_before_switch.wait(30), "the reader never read while the run was busy"
        assert ranked(reader, embedder) == before and reader.version() == version
        assert "fiets.md" not in reader.documents("hr") and "ziek.md" in reader.documents("hr")
    assert read_after_switch.wait(30), "the reader never saw the new version"
    stop.set()
    asker.join(30)
    assert not errors, errors
    assert set(seen) <= {4, 8}, f"a reader saw a half-switched index: {sorted(set(seen))}"
    assert reader.version() > version
    assert "fiets.md" in reader.documents("hr") and "ziek.md" not in reader.documents("hr")


def test_a_killed_index_process_leaves_the_index_usable_and_the_next_run_completes(tmp_path, embedder):
    docs = write_docs(tmp_path / "docs", {"verlof.md": "# Verlof\n\nIedereen heeft 25 vakantiedagen per jaar.\n",
                                          "ziek.md": "# Ziek\n\nMeld je ziek voor negen uur.\n"})
    services = services_for(tmp_path, embedder, {"bedrijf": docs})
    assert services.reindexer.run().ok
    store = ChunkStore(services.settings.folders.index_location)
    before, version = ranked(store, embedder), store.version()
    write_docs(docs, many_docs(12, paragraphs=2))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    env.update(VRAAGBAAK_SOURCES=f"bedrijf={docs}", VRAAGBAAK_EMBEDDING_BATCH_SIZE="2")
    with ChildProcess([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path / "data"), "index"],
                      cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL) as process:
        progress = _watch_progress(process)
        try:
            done, total = progress.wait_for_embedding(timeout=600)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(30)
    assert process.returncode == -signal.SIGKILL, "the index run should have been killed, not finished"
    assert 0 < done < total, (done, total)

    lock = Path(services.settings.folders.state_dir) / "reindex.lock"
    assert lock.read_text().strip() == str(process.pid), "the dead process's lock file is left behind"
    after = ChunkStore(services.settings.folders.index_location)
    assert after.version() == version and after.stats()["documents"] == 2
    assert ranked(after, embedder) == before  # usable, same answers as before

    again = services_for(tmp_path, embedder, {"bedrijf": docs})  # a fresh process's Reindexer
    assert not again.reindexer.is_running()
    run = again.reindexer.run()  # refuse-when-busy: a stale lock would raise here
    assert run.ok and len(run.reports["bedrijf"].added) == 12
    assert ChunkStore(services.settings.folders.index_location).stats()["documents"] == 14




class _RunInThread:
    """A real run in a thread whose every progress step takes `pause` seconds."""

    def __init__(self, reindexer, pause: float) -> None:
        self.embedding, self.results = threading.Event(), []

        def slow(collection: str, done: int, total: int) -> None:
            self.embedding.set()
            time.sleep(pause)

        self.thread = threading.Thread(target=lambda: self.results.append(reindexer.run(progress=slow)), daemon=True)
        self.thread.start()
        assert self.embedding.wait(60), "the run never reached embedding"

    def result(self):
        self.thread.join(60)
        (run,) = self.results
        return run


def test_closing_lets_a_run_in_progress_finish_within_the_grace_time(tmp_path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)
    assert services.reindexer.run().ok
    write_docs(two_collections["hr"], many_docs(3, paragraphs=1))
    running = _RunInThread(services.reindexer, pause=0.3)
    assert services.reindexer.close(grace_s=60)
    assert not running.thread.is_alive(), "close returns only when the run is done"
    run = running.result()
    assert run.ok and not run.stopped and len(run.reports["hr"].added) == 3
    assert ChunkStore(services.settings.folders.index_location).stats()["documents"] == 7


def test_closing_stops_a_long_run_before_its_commit_and_refuses_new_ones(tmp_path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)
    reindexer = services.reindexer
    assert reindexer.run().ok
    store = ChunkStore(services.settings.folders.index_location)
    before, version = ranked(store, embedder), store.version()
    write_docs(two_collections["hr"], many_docs(6, paragraphs=2))
    told: list[object] = []
    reindexer.run_finished.add(told.append)

    running = _RunInThread(reindexer, pause=2.0)  # longer than the grace time below
    started = time.monotonic()
    assert reindexer.close(grace_s=0.5), "the run should stop at its next checkpoint"
    assert time.monotonic() - started < 10
    run = running.result()
    assert run.stopped and set(run.failures) == {"hr", "it"} and not run.reports
    assert all("afgebroken" in reason for reason in run.failures.values())
    assert not told, "a stop asked for by whoever stopped the bot is not reported as a failure"
    assert reindexer.last_run().stopped, "the status shows the run as stopped"
    after = ChunkStore(services.settings.folders.index_location)
    assert after.version() == version and after.stats()["documents"] == 4
    assert ranked(after, embedder) == before

    with pytest.raises(ReindexBusyError, match="wordt gestopt"):
        reindexer.run()  # closed: no new runs, e.g. a scheduled one already handed to its thread
    assert reindexer.last_run().started_at == run.started_at

    again = services_for(tmp_path, embedder, two_collections)  # after the restart the run completes
    finished = again.reindexer.run()
    assert finished.ok and len(finished.reports["hr"].added) == 6

class _watch_progress:
    """Reads the CLI's progress bar ("inbedden bedrijf: … 16/240 …") from the child's stderr."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.text = ""
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        while chunk := process.stderr.read1(4096):  # type: ignore[union-attr]
            with self.changed:
                self.text += chunk.decode("utf-8", "replace")
                self.changed.notify_all()

    def wait_for_embedding(self, timeout: float) -> tuple[int, int]:
        """Until at least one batch is embedded and not all of them; returns (done, total)."""
        pattern = re.compile(r"inbedden bedrijf:.*?(\d+)/(\d+)")
        deadline = time.monotonic() + timeout
        with self.changed:
            while time.monotonic() < deadline:
                for done, total in ((int(a), int(b)) for a, b in pattern.findall(self.text)):
                    if 0 < done < total:
                        return done, total
                self.changed.wait(0.2)
        raise AssertionError(f"no embedding progress seen; stderr so far:\n{self.text[-2000:]}")
