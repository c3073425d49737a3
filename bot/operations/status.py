"""The bot's status, gathered once for `vraagbaak status [--json]` and `/vraagbaak status`.

Everything here is read without loading a model: index counts from LanceDB, the last run from the
Reindexer's saved reports, the next run computed from the cron expressions (so a separate process
knows it too), the queue only when this process has a language model loaded. A part that cannot be
read shows as an ``error`` entry instead of hiding the rest.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable
from zoneinfo import ZoneInfo

from bot.operations.scheduler import next_run_times, planned_jobs
from bot.settings import Settings
from knowledge.errors import KnowledgeError
from knowledge.loaders import most_frequent_first

if TYPE_CHECKING:
    from bot.answering.generation import Generator
    from bot.indexing.reindexer import Reindexer, RunReport
    from knowledge.index.store import ChunkStore
    from knowledge.models import IndexReport

log = logging.getLogger(__name__)

LISTED_FILES = 5


def gather_status(settings: "Settings", store: "ChunkStore", reindexer: "Reindexer", *,
                  generator: "Generator | None" = None, now: datetime | None = None) -> dict[str, Any]:
    """Index, last and next run, collections, model and queue, as plain JSON-able data.

    `generator`: the language model this process serves with, for its name and queue; without
    one (the CLI), the model is named from the settings and the queue is unknown."""
    stats = _readable("index", store.stats)
    last = _guard("last run", lambda: reindexer.last_run(), None)
    per_collection = _guard("runs per collection", lambda: reindexer.last_runs_by_collection(), {})
    schedule = {"next_run": None, **_readable("schedule", lambda: schedule_status(settings, now))}
    return {
        "index": {
            "documents": int(stats.get("documents", 0)),
            "chunks": int(stats.get("chunks", 0)),
            "last_reindex": last.started_at if last is not None else None,
            "version": stats.get("version"),
            "location": settings.folders.index_location,
            **({"error": stats["error"]} if "error" in stats else {}),
        },
        "reindex": {
            "running": bool(_guard("running", lambda: reindexer.is_running(), False)),
            "last_run": run_summary(last) if last is not None else None,
        },
        "schedule": schedule,
        "collections": _collections(settings, stats, per_collection, schedule.get("next_run")),
        "model": _model(settings, generator, stats),
        "queue": _queue(generator),
    }


def schedule_status(settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    times = next_run_times(settings, now)
    jobs = [{"id": job.id, "cron": job.cron, "full": job.full, "description": job.description,
             "next_run": _iso(times.get(job.id))} for job in planned_jobs(settings)]
    upcoming = [t for t in times.values() if t is not None]
    return {"next_run": _iso(min(upcoming)) if upcoming else None, "timezone": settings.schedule.timezone,
            "when_busy": settings.operations.reindex_when_busy, "jobs": jobs}


def run_summary(run: "RunReport") -> dict[str, Any]:
    """A run as JSON: when, how long, by whom, and per collection what changed or failed and why."""
    reports = run.reports.values()
    failed = [{"path": f"{name}:{s.path}", "reason": s.reason}
              for name, report in run.reports.items() for s in report.skipped]
    failed += [{"path": name, "reason": reason} for name, reason in run.failures.items()]
    return {
        "started_at": run.started_at,
        "duration_s": run.duration_s,
        "trigger": run.trigger or None,
        "full": run.full,
        "ok": run.ok,
        "error": "; ".join(f"{name}: {reason}" for name, reason in run.failures.items()) or None,
        "added": sum(len(r.added) for r in reports),
        "changed": sum(len(r.changed) for r in reports),
        "removed": sum(len(r.removed) for r in reports),
        "failed": failed,
        "not_read": _summed_not_read(reports),
        "maintenance": run.maintenance,
        "collections": {name: _collection_report(run, name)
                        for name in dict.fromkeys([*run.reports, *run.failures])},
    }


def _summed_not_read(reports: Iterable["IndexReport"]) -> dict[str, int]:
    """Unsupported files per extension over all collections, most frequent first."""
    total: Counter[str] = Counter()
    for report in reports:
        total.update(report.not_read)
    return most_frequent_first(total)


def not_read_text(counts: dict[str, int]) -> str:
    """`3 × .psd, 1 × (zonder extensie)`: what a run left unread, for people."""
    return ", ".join(f"{count} × {extension}" for extension, count in counts.items())


def _collection_report(run: "RunReport", name: str) -> dict[str, Any]:
    report = run.reports.get(name)
    if report is None:
        return {"ok": False, "error": run.failures.get(name, "niet uitgevoerd")}
    return {"ok": name not in run.failures, "added": report.added, "changed": report.changed,
            "removed": report.removed, "unchanged": report.unchanged,
            "failed": [{"path": s.path, "reason": s.reason} for s in report.skipped],
            "not_read": report.not_read,
            "chunks_embedded": report.chunks_embedded, "duration_s": report.duration_s}


def _collections(settings: Settings, stats: dict, runs: dict[str, "RunReport"],
                 next_run: str | None) -> dict[str, Any]:
    counts = stats.get("collections") or {}
    names = list(settings.documents.sources) + sorted(set(counts) - set(settings.documents.sources))
    result = {}
    for name in names:
        run = runs.get(name)
        source: Path | None = settings.documents.sources.get(name)
        result[name] = {
            "source": str(source) if source is not None else None,
            "configured": source is not None,
            "documents": int(counts.get(name, {}).get("documents", 0)),
            "chunks": int(counts.get(name, {}).get("chunks", 0)),
            "last_run": ({"started_at": run.started_at, "duration_s": run.duration_s,
                          "trigger": run.trigger or None, "full": run.full,
                          **_collection_report(run, name)} if run is not None else None),
            "next_run": next_run if source is not None else None,
        }
    return result


def _model(settings: Settings, generator: "Generator | None", stats: dict) -> dict[str, Any]:
    from bot.model_files.resolving import resolve_embedding_model, resolve_llm_model

    if generator is not None:
        llm = generator.model_name
    elif settings.llm.backend == "openai":
        llm = settings.llm.server_model or settings.llm.server_url
    else:  # named from the settings: status never loads a model
        llm = _guard("llm model", lambda: resolve_llm_model(settings).name.removesuffix(".gguf"), None)
    embedding = _guard("embedding model", lambda: _embedding_name(resolve_embedding_model(settings)), None)
    return {"llm": llm, "llm_backend": settings.llm.backend, "embedding": embedding,
            "index_embedding": stats.get("embedding_model")}


def _embedding_name(model: str) -> str:
    """Named as the index records it (knowledge.embeddings)."""
    from knowledge.embeddings import model_name

    return model_name(Path(model).expanduser())


def _queue(generator: "Generator | None") -> dict[str, Any]:
    if generator is None:
        return {"length": None, "model_loaded": False}
    return {"length": _guard("queue", generator.queue_length, None), "model_loaded": True}


def _guard(what: str, read: Callable[[], Any], fallback: Any) -> Any:
    try:
        return read()
    except Exception:  # noqa: BLE001 - one unreadable part must not hide the others
        log.warning("status: %s could not be read", what, exc_info=True)
        return fallback


def _readable(what: str, read: Callable[[], dict]) -> dict:
    """`read()`, or {"error": why} when it fails."""
    try:
        return read()
    except KnowledgeError as exc:  # e.g. a damaged index: its Dutch message says it all
        log.warning("status: %s could not be read: %s", what, exc)
        return {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001
        log.warning("status: %s could not be read", what, exc_info=True)
        return {"error": f"{type(exc).__name__}: {exc}"}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- text, for the terminal and Slack (mrkdwn reads fine as plain text) ---------------------------

def render_status(status: dict[str, Any]) -> str:
    """The status as short Dutch lines; times in the schedule's time zone."""
    zone = _zone(status.get("schedule", {}).get("timezone"))
    index, run = status["index"], status["reindex"]["last_run"]
    lines = ["*Status van Vraagbaak*",
             f"• Index: {index['documents']} documenten, {index['chunks']} chunks"
             + (f" (niet leesbaar: {index['error']})" if index.get("error") else "")]
    if status["reindex"]["running"]:
        lines.append("• Er loopt nu een herindexering.")
    lines.append(f"• Laatste herindexering: {_run_line(run, zone)}")
    for failure in (run or {}).get("failed", [])[:LISTED_FILES]:
        lines.append(f"    – mislukt: `{failure['path']}`: {failure['reason']}")
    if (run or {}).get("not_read"):
        lines.append(f"    – niet gelezen (bestandstype niet ondersteund): {not_read_text(run['not_read'])}")
    schedule = status["schedule"]
    planned = schedule.get("jobs")
    lines.append(f"• Volgende herindexering: {_when(schedule.get('next_run'), zone)}"
                 + ("" if planned else " (geen schema ingesteld)"))
    for name, coll in status["collections"].items():
        where = coll["source"] or "niet meer ingesteld"
        last = coll["last_run"]
        state = "" if not last or last.get("ok") else " (mislukt)"
        lines.append(f"• Collectie *{name}* ({where}): {coll['documents']} documenten, {coll['chunks']} chunks; "
                     f"laatst {_when(last['started_at'], zone) if last else 'nooit'}{state}")
    model = status["model"]
    lines.append(f"• Model: {model.get('llm') or 'onbekend'}; embeddings: {model.get('embedding') or 'onbekend'}")
    queue = status["queue"]["length"]
    lines.append("• Wachtrij: " + ("niet bekend in dit proces" if queue is None
                                   else "leeg" if queue == 0 else f"{queue} wachtend"))
    return "\n".join(lines)


def local_time(iso: str | None, zone_name: str | None) -> str:
    """A stored moment as people read it, in the schedule's time zone (`geen` for none)."""
    return _when(iso, _zone(zone_name))


def _run_line(run: dict[str, Any] | None, zone: tzinfo | None) -> str:
    if run is None:
        return "nog niet gedaan"
    counts = (f"{run['added']} toegevoegd, {run['changed']} gewijzigd, {run['removed']} verwijderd, "
              f"{len(run['failed'])} mislukt")
    state = "" if run["ok"] else f" — MISLUKT: {run['error']}"
    by = f", {run['trigger']}" if run.get("trigger") else ""
    return f"{_when(run['started_at'], zone)} ({run['duration_s']:.1f} s{by}): {counts}{state}"


def _zone(name: str | None) -> tzinfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ValueError, KeyError):
        return None


def _when(iso: str | None, zone: tzinfo | None) -> str:
    if not iso:
        return "geen"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None or zone is None:
        return iso
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
