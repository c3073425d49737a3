"""Re-indexing all configured collections: one entry shared by the CLI, Slack and the scheduler."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.errors import ReindexBusyError, VraagbaakError
from bot.settings import Settings
from knowledge.errors import IndexBusyError, KnowledgeError
from knowledge.models import IndexReport, SkippedFile

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

BUSY_MESSAGE = "Er loopt al een herindexering; probeer het straks opnieuw."
RunProgress = Callable[[str, int, int], None]  # (collection, chunks embedded, chunks to embed)


@dataclass
class RunReport:
    """One run over one or more collections: a report per collection, or why it failed."""

    started_at: str
    duration_s: float = 0.0
    full: bool = False
    reports: dict[str, IndexReport] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # collection -> Dutch reason

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
            reports[name] = IndexReport(**raw)
        return cls(started_at=data["started_at"], duration_s=data.get("duration_s", 0.0),
                   full=data.get("full", False), reports=reports, failures=data.get("failures", {}))


class Reindexer:
    """Runs the indexer over `settings.sources`, one collection after another."""

    def __init__(self, settings: Settings, services: "Services") -> None:
        self.settings = settings
        self.services = services
        self._running = threading.Lock()

    @property
    def report_path(self) -> Path:
        return self.settings.state_dir / "last_reindex.json"

    def is_running(self) -> bool:
        """True while a run of this process is busy (another process's run shows as busy on run())."""
        return self._running.locked()

    def run(self, collections: list[str] | None = None, *, full: bool = False,
            progress: RunProgress | None = None, wait: bool = False) -> RunReport:
        """Re-indexes the named collections (default: all configured ones)."""
        sources = self._sources(collections)
        if not self._running.acquire(blocking=wait):
            raise ReindexBusyError(BUSY_MESSAGE)
        try:
            return self._run(sources, full=full, progress=progress, wait=wait)
        finally:
            self._running.release()

    def run_folder(self, folder: Path, *, collection: str, full: bool = False,
                   progress: RunProgress | None = None, wait: bool = False) -> RunReport:
        """Re-indexes one folder as `collection` (e.g. `vraagbaak index MAP`)."""
        if not self._running.acquire(blocking=wait):
            raise ReindexBusyError(BUSY_MESSAGE)
        try:
            return self._run({collection: Path(folder)}, full=full, progress=progress, wait=wait)
        finally:
            self._running.release()

    def _sources(self, collections: list[str] | None) -> dict[str, Path]:
        if collections is None:
            return dict(self.settings.sources)
        unknown = [name for name in collections if name not in self.settings.sources]
        if unknown:
            known = ", ".join(sorted(self.settings.sources)) or "geen"
            raise VraagbaakError(f"Onbekende collectie(s): {', '.join(unknown)}. Ingesteld: {known}.")
        return {name: self.settings.sources[name] for name in collections}

    def _run(self, sources: dict[str, Path], *, full: bool, progress: RunProgress | None,
             wait: bool) -> RunReport:
        started = time.monotonic()
        run = RunReport(started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), full=full)
        indexer = self.services.indexer
        try:
            with indexer.lock(wait=wait):  # held over all collections: one run at a time
                for name, folder in sources.items():
                    self._one(run, name, folder, full=full, progress=progress)
        except IndexBusyError as exc:
            raise ReindexBusyError(BUSY_MESSAGE) from exc
        run.duration_s = round(time.monotonic() - started, 3)
        self._save(run)
        return run

    def _one(self, run: RunReport, name: str, folder: Path, *, full: bool,
             progress: RunProgress | None) -> None:
        step = (lambda done, total: progress(name, done, total)) if progress else None
        try:
            run.reports[name] = self.services.indexer.reindex(folder, collection=name, full=full,
                                                              progress=step)
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

    def _save(self, run: RunReport) -> None:
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.report_path.with_suffix(".json.tmp")
        tmp.write_text(run.to_json(), encoding="utf-8")
        os.replace(tmp, self.report_path)
