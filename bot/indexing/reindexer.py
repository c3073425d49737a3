"""Re-indexing all configured collections: one entry shared by the CLI, Slack and the scheduler.

One run at a time: a thread lock in this process, the Indexer's file lock across processes on one
data folder, and a database-wide lock (`shared_lock`, from the storage layer) across replicas that
share a database; a run that finds the latter held says it runs on another server and does nothing.
After every run the store is maintained (compaction, index refresh, removal of versions superseded
longer than ``keep_old_versions_seconds`` ago), so the data folder stays bounded. Each run is saved
in the state folder (the last one, and the last one per collection) for ``vraagbaak status`` in any
process, and handed to observers: `run_ending` inside the run's lock (work that belongs to the run,
like suspending curated answers whose sources it changed), `run_finished` after it (the admins'
Slack DM on failure, the metrics, the Home tab).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.errors import ReindexBusyError, VraagbaakError
from bot.operations.observers import Observers
from bot.settings import Settings
from bot.storage.files import held_exclusively, write_atomically
from knowledge.errors import IndexBusyError, KnowledgeError
from knowledge.indexing import LOCK_FILE
from knowledge.models import IndexReport, SkippedFile

if TYPE_CHECKING:
    from bot.indexing.source_runs import SourceRuns
    from knowledge.indexing import Indexer
    from bot.storage.engines import HeldLock
    from knowledge.index.store import ChunkStore

log = logging.getLogger(__name__)

BUSY_MESSAGE = "Er loopt al een herindexering; probeer het straks opnieuw."
BUSY_ELSEWHERE_MESSAGE = ("Er loopt al een herindexering op een andere server van Vraagbaak; "
                         "probeer het straks opnieuw.")
CLOSED_MESSAGE = "Vraagbaak wordt gestopt; herindexeren kan weer na de herstart."
STOPPED_REASON = "afgebroken omdat Vraagbaak stopte; de vorige versie van de index blijft in gebruik"
ABORT_WAIT_S = 10.0  # after the grace time: how long a run may take to reach its next checkpoint
RunProgress = Callable[[str, int, int], None]  # (collection, chunks embedded, chunks to embed)
# Takes the database-wide re-index lock if no replica holds it (None then); it dies with its holder.
SharedLock = Callable[[], "HeldLock | None"]


@dataclass
class RunReport:
    """One run over one or more collections: a report per collection, or why it failed."""

    started_at: str
    duration_s: float = 0.0
    full: bool = False
    reports: dict[str, IndexReport] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # collection -> Dutch reason
    trigger: str = ""  # who started it: "cli", "slack:U123", "schema:reindex", …
    maintenance: dict = field(default_factory=dict)  # what the clean-up after the run did
    # Cut short because the bot stopped: the collection it was in, and those after it, kept their
    # previous version (collections finished before the stop were committed as usual).
    stopped: bool = False
    # The index was damaged (files missing or unreadable, `vraagbaak doctor`): what was wrong. A full
    # run then drops the table and rebuilds every configured collection.
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def changed_anything(self) -> bool:
        return any(r.changed_anything for r in self.reports.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "RunReport":
        data = json.loads(text)
        reports = {}
        for name, raw in data.get("reports", {}).items():
            raw["skipped"] = [SkippedFile(**s) for s in raw.get("skipped", [])]
            raw["partly_read"] = [SkippedFile(**s) for s in raw.get("partly_read", [])]
            reports[name] = IndexReport(**raw)
        return cls(started_at=data["started_at"], duration_s=data.get("duration_s", 0.0),
                   full=data.get("full", False), reports=reports, failures=data.get("failures", {}),
                   trigger=data.get("trigger", ""), maintenance=data.get("maintenance", {}),
                   stopped=data.get("stopped", False), repaired=data.get("repaired", []))

    def for_collection(self, name: str) -> "RunReport":
        """This run as far as one collection is concerned."""
        return RunReport(started_at=self.started_at, duration_s=self.duration_s, full=self.full,
                         reports={k: v for k, v in self.reports.items() if k == name},
                         failures={k: v for k, v in self.failures.items() if k == name},
                         trigger=self.trigger, stopped=self.stopped)


class Reindexer:
    """Runs the indexer over `settings.documents.sources`, one collection after another.

    `indexer` and `store` are called when a run needs them, so that reading the last run's report
    (`vraagbaak status`) loads no embedding model. `shared_lock` (None: this box alone) is tried
    inside the file lock, never waited for: the replica that holds it does the work.
    """

    def __init__(self, settings: Settings, *, indexer: Callable[[], "Indexer"],
                 store: Callable[[], "ChunkStore"], sources: "SourceRuns | None" = None,
                 shared_lock: SharedLock | None = None) -> None:
        self.settings = settings
        self._shared_lock = shared_lock
        self.remote = sources  # the sources file's sources, each with its own collection
        self._indexer = indexer
        self._store = store
        self._running = threading.Lock()
        # Every run that was not stopped, failed or not: before its lock is released, and after.
        self.run_ending: Observers[[RunReport]] = Observers("re-index run ending")
        self.run_finished: Observers[[RunReport]] = Observers("re-index run finished")
        self._closed = threading.Event()  # no new runs
        self._abort = threading.Event()  # the run in progress stops at its next checkpoint

    @property
    def report_path(self) -> Path:
        return self.settings.folders.state_dir / "last_reindex.json"

    @property
    def collections_report_path(self) -> Path:
        return self.settings.folders.state_dir / "last_reindex_per_collection.json"

    def is_running(self) -> bool:
        """True while a run is busy, in this process or in another one on the same data folder."""
        return self._running.locked() or self._locked_by_another_process() or self._locked_elsewhere()

    def running_elsewhere(self) -> bool:
        """True while another replica (another server on the same database) runs a re-index: the
        database's lock is held, and not by a run of this process or of this data folder (with
        SQLite that lock lives beside the database, so a local run holds it too)."""
        if self._running.locked() or self._locked_by_another_process():
            return False
        return self._locked_elsewhere()

    def _locked_by_another_process(self) -> bool:
        # Locks of a process that died went with it, so a stale lock file never reads as busy.
        return held_exclusively(self.settings.folders.state_dir / LOCK_FILE)

    def _locked_elsewhere(self) -> bool:
        """Whether another replica holds the database-wide lock (taken and let go at once to see)."""
        if self._shared_lock is None:
            return False
        try:
            held = self._shared_lock()
        except VraagbaakError as exc:  # the database is unreachable: the run itself will say so
            log.warning("cannot see whether another server re-indexes: %s", exc)
            return False
        if held is None:
            return True
        held.release()
        return False

    def run(self, collections: list[str] | None = None, *, full: bool = False,
            progress: RunProgress | None = None, wait: bool = False, trigger: str = "") -> RunReport:
        """Re-indexes the named collections (default: all configured ones)."""
        return self._locked_run(self._sources(collections), full=full, progress=progress, wait=wait,
                                trigger=trigger)

    def run_folder(self, folder: Path, *, collection: str, full: bool = False,
                   progress: RunProgress | None = None, wait: bool = False, trigger: str = "") -> RunReport:
        """Re-indexes one folder as `collection` (e.g. `vraagbaak index MAP`)."""
        return self._locked_run({collection: Path(folder)}, full=full, progress=progress, wait=wait,
                                trigger=trigger)

    def close(self, grace_s: float) -> bool:
        """For shutting down: no new runs from now on; a run in progress gets `grace_s` seconds to
        finish, and is then stopped at its next checkpoint (between embedding batches or
        collections) before it commits, so the index stays at its previous version. True when no
        run is left in this process."""
        self._closed.set()
        if self._idle_within(grace_s):
            return True
        log.warning("a re-index is still running after %.0f s: stopping it; nothing of it is committed", grace_s)
        self._abort.set()
        if self._idle_within(ABORT_WAIT_S):
            return True
        log.warning("the re-index did not stop within %.0f s; it is cut off with the process", ABORT_WAIT_S)
        return False

    def _idle_within(self, seconds: float) -> bool:
        if not self._running.acquire(timeout=max(seconds, 0.0)):
            return False
        self._running.release()
        return True

    def _locked_run(self, sources: dict[str, Path | None], *, full: bool, progress: RunProgress | None,
                    wait: bool, trigger: str) -> RunReport:
        if self._closed.is_set() or not self._running.acquire(blocking=wait):
            raise ReindexBusyError(CLOSED_MESSAGE if self._closed.is_set() else BUSY_MESSAGE)
        try:
            if self._closed.is_set():  # closed while this run waited for the previous one
                raise ReindexBusyError(CLOSED_MESSAGE)
            run = self._run(sources, full=full, progress=progress, wait=wait, trigger=trigger)
            if not run.stopped:
                self.run_ending.notify(run)
        finally:
            self._running.release()
        if not run.stopped:  # a stop asked for by whoever stopped the bot is no failure to report
            self.run_finished.notify(run)
        return run

    def _all_sources(self) -> dict[str, Path | None]:
        """Every configured collection: a folder, or None for one fed by a source of the sources file."""
        remote = dict.fromkeys(self.remote.collections if self.remote is not None else ())
        return {**self.settings.documents.sources, **remote}

    def _sources(self, collections: list[str] | None) -> dict[str, Path | None]:
        configured = self._all_sources()
        if collections is None:
            return configured
        unknown = [name for name in collections if name not in configured]
        if unknown:
            known = ", ".join(sorted(configured)) or "geen"
            raise VraagbaakError(f"Onbekende collectie(s): {', '.join(unknown)}. Ingesteld: {known}.")
        return {name: configured[name] for name in collections}

    def _run(self, sources: dict[str, Path | None], *, full: bool, progress: RunProgress | None,
             wait: bool, trigger: str) -> RunReport:
        started = time.monotonic()
        run = RunReport(started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), full=full,
                        trigger=trigger)
        try:
            indexer = self._indexer()
        except Exception as exc:  # e.g. the embedding model cannot be loaded: every collection fails
            log.exception("re-index cannot start")
            reason = str(exc) if isinstance(exc, (VraagbaakError, KnowledgeError)) else (
                f"onverwachte fout ({type(exc).__name__}: {exc})")
            run.failures = {name: reason for name in sources}
        else:
            try:
                with indexer.lock(wait=wait), self._across_replicas():  # over all collections
                    if full:
                        sources = self._repair(run, sources)
                    for name, folder in sources.items():
                        if self._abort.is_set():
                            run.stopped = True
                        if run.stopped:
                            run.failures[name] = STOPPED_REASON
                            continue
                        self._one(run, name, folder, full=full, progress=progress)
                    if not run.stopped:
                        run.maintenance = self._maintain()
            except IndexBusyError as exc:
                raise ReindexBusyError(BUSY_MESSAGE) from exc
        run.duration_s = round(time.monotonic() - started, 3)
        self._save(run)
        return run

    @contextmanager
    def _across_replicas(self) -> Iterator[None]:
        """Holds the database-wide lock for the block, or refuses the run when a replica holds it."""
        if self._shared_lock is None:
            yield
            return
        held = self._shared_lock()
        if held is None:
            log.info("a re-index runs on another server; this one does not start")
            raise ReindexBusyError(BUSY_ELSEWHERE_MESSAGE)
        with held:
            yield

    def _repair(self, run: RunReport, sources: dict[str, Path | None]) -> dict[str, Path | None]:
        """A full run over a damaged index drops the table first: it cannot be read or merged into.
        Every configured collection is rebuilt then, not only the ones asked for, since they all
        lived in the dropped table. Returns the collections to index."""
        try:
            store = self._store()
            problems = store.damage()
        except Exception:  # looking failed: the run goes on as asked, and says what breaks
            log.warning("could not check the index for damage before the full re-index", exc_info=True)
            return sources
        if not problems:
            return sources
        run.repaired = [str(p) for p in problems]
        log.warning("the index is damaged (%s): dropping it and rebuilding every collection",
                    "; ".join(run.repaired))
        sources = {**self._all_sources(), **sources}
        try:
            store.drop()
        except OSError as exc:
            reason = (f"de beschadigde index kon niet worden verwijderd ({exc.strerror or exc}); verwijder "
                      f"{store.uri} met de hand en voer `vraagbaak index --full` opnieuw uit")
            run.failures.update({name: reason for name in sources})
            return {}
        return sources

    def _maintain(self) -> dict:
        """Compaction, index refresh and removal of old versions; a no-op (no new version) when
        there is nothing to do. A failure costs disk space, not the run."""
        try:
            return self._store().optimize(
                keep_superseded=timedelta(seconds=self.settings.operations.keep_old_versions_seconds))
        except Exception as exc:
            log.warning("index maintenance after the re-index failed", exc_info=True)
            return {"optimized": False, "error": f"{type(exc).__name__}: {exc}"}

    def _one(self, run: RunReport, name: str, folder: Path | None, *, full: bool,
             progress: RunProgress | None) -> None:
        def step(done: int, total: int) -> None:
            if progress is not None:
                progress(name, done, total)
            if self._abort.is_set():
                raise _Stopped  # before the commit: the collection keeps its previous version

        try:
            if folder is None and self.remote is not None:
                run.reports[name] = self.remote.sync(name, full=full, progress=step)
            else:
                run.reports[name] = self._indexer().reindex(folder, collection=name, full=full, progress=step)
        except _Stopped:
            log.warning("re-index of %s stopped before its commit", name)
            run.stopped = True
            run.failures[name] = STOPPED_REASON
        except KnowledgeError as exc:
            log.warning("re-index of %s failed: %s", name, exc)
            run.failures[name] = str(exc)
        except Exception as exc:  # one collection's failure must not stop the others
            log.exception("re-index of %s failed", name)
            run.failures[name] = f"onverwachte fout ({type(exc).__name__}: {exc})"

    def last_run(self) -> RunReport | None:
        """The last run of any process, as saved in the state folder."""
        try:
            return RunReport.from_json(self.report_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("cannot read %s", self.report_path, exc_info=True)
            return None

    def last_runs_by_collection(self) -> dict[str, RunReport]:
        """Per collection, the last run that included it (any process)."""
        try:
            data = json.loads(self.collections_report_path.read_text(encoding="utf-8"))
            return {name: RunReport.from_json(json.dumps(raw)) for name, raw in data.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("cannot read %s", self.collections_report_path, exc_info=True)
            return {}

    def _save(self, run: RunReport) -> None:
        """Keeps the run for `vraagbaak status`. A disk too full for the report costs the report, not
        the run: the caller and the observers (the admins' DM) still get it."""
        try:
            self._write_reports(run)
        except OSError as exc:
            log.warning("could not save the re-index report in %s: %s", self.settings.folders.state_dir, exc)

    def _write_reports(self, run: RunReport) -> None:
        write_atomically(self.report_path, run.to_json())
        per_collection = {name: json.loads(report.to_json())
                          for name, report in self.last_runs_by_collection().items()}
        for name in {*run.reports, *run.failures}:
            per_collection[name] = asdict(run.for_collection(name))
        write_atomically(self.collections_report_path, json.dumps(per_collection, ensure_ascii=False, indent=2))


class _Stopped(Exception):
    """Raised inside a run's progress callback to stop it before it commits."""
