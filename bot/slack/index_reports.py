"""Re-index progress, results and the bot's status as short Dutch Slack messages (mrkdwn)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

LISTED_FILES = 5


def _names(items: Iterable[Any]) -> list[str]:
    names = []
    for item in items:
        path = getattr(item, "path", item)
        reason = getattr(item, "reason", "")
        names.append(f"`{path}`" + (f" ({reason})" if reason else ""))
    return names


def _file_groups(report: Any) -> dict[str, list[Any]]:
    """Added / changed / removed / failed files of a RunReport (summed over its collections)."""
    groups: dict[str, list[Any]] = {"Toegevoegd": [], "Gewijzigd": [], "Verwijderd": [], "Mislukt": []}
    per_collection = getattr(report, "reports", None)
    reports = per_collection.values() if isinstance(per_collection, dict) else [report]
    for part in reports:
        groups["Toegevoegd"] += list(getattr(part, "added", None) or [])
        groups["Gewijzigd"] += list(getattr(part, "changed", None) or [])
        groups["Verwijderd"] += list(getattr(part, "removed", None) or [])
        groups["Mislukt"] += list(getattr(part, "failed", None) or getattr(part, "skipped", None) or [])
    return groups


def _failures(report: Any) -> list[str]:
    """Collections that could not be re-indexed at all, with the reason."""
    failures = getattr(report, "failures", None) or {}
    lines = [f"collectie *{name}*: {reason}" for name, reason in dict(failures).items()]
    error = getattr(report, "error", None)
    return lines + ([str(error)] if error else [])


def describe_progress(*args: Any, **kwargs: Any) -> str:
    """The Reindexer's progress (collection, chunks embedded, chunks to embed) in a few words."""
    collection, done, total = (list(args) + [None, None, None])[:3]
    collection = kwargs.get("collection", collection)
    done, total = kwargs.get("done", done), kwargs.get("total", total)
    text = f"collectie *{collection}*" if collection else ""
    if isinstance(done, int) and isinstance(total, int) and total:
        text += f"{': ' if text else ''}{done} van {total} passages verwerkt"
    return text


def describe_report(report: Any) -> str:
    """A re-index result: added / changed / removed / failed files, and how long it took."""
    groups = _file_groups(report)
    failures = _failures(report)
    duration = getattr(report, "duration_s", None)
    took = f" in {duration:.1f} s" if isinstance(duration, (int, float)) else ""
    counts = ", ".join(f"{label.lower()}: {len(files)}" for label, files in groups.items())
    if failures:
        lines = [f"*Herindexering deels mislukt*{took}: {counts}.",
                 *[f"• Mislukt: {line}" for line in failures],
                 "De vorige index van die collecties blijft in gebruik."]
    else:
        lines = [f"*Herindexering klaar*{took}: {counts}."]
    for label, files in groups.items():
        if files:
            more = f" en nog {len(files) - LISTED_FILES}" if len(files) > LISTED_FILES else ""
            lines.append(f"• {label}: {', '.join(_names(files[:LISTED_FILES]))}{more}")
    if not failures and not any(groups.values()):
        lines.append("Er was niets veranderd.")
    return "\n".join(lines)


def describe_status(services: "Services") -> str:
    """Documents, chunks, last re-index, model and queue length; every line on its own, so one
    part that cannot be read does not hide the others."""
    lines = ["*Status van Vraagbaak*"]
    for label, read in (("Index", lambda: _index_line(services)),
                        ("Laatste herindexering", lambda: _last_run_line(services)),
                        ("Volgende herindexering", lambda: _next_run_line(services)),
                        ("Model", lambda: services.generator.model_name),
                        ("Wachtrij", lambda: _queue_line(services))):
        try:
            lines.append(f"• {label}: {read()}")
        except Exception:
            log.warning("status: %s could not be read", label, exc_info=True)
            lines.append(f"• {label}: niet beschikbaar")
    return "\n".join(lines)


def _index_line(services: "Services") -> str:
    stats = services.store.stats()
    line = f"{stats.get('documents', 0)} documenten, {stats.get('chunks', 0)} chunks"
    collections = stats.get("collections") or stats.get("per_collection")
    if isinstance(collections, dict) and collections:
        line += " (" + ", ".join(f"{name}: {_count(v)}" for name, v in collections.items()) + ")"
    return line


def _count(value: Any) -> str:
    if isinstance(value, dict):
        return f"{value.get('documents', '?')} documenten"
    return str(value)


def _last_run_line(services: "Services") -> str:
    report = services.reindexer.last_run()
    if report is None:
        return "nog niet gedaan"
    started = getattr(report, "started_at", "") or "?"
    counts = ", ".join(f"{label.lower()} {len(files)}" for label, files in _file_groups(report).items())
    failed = " — deels mislukt" if _failures(report) else ""
    return f"{started} ({counts}){failed}"


def _queue_line(services: "Services") -> str:
    waiting = services.generator.queue_length()
    return "leeg" if waiting == 0 else f"{waiting} vra{'ag' if waiting == 1 else 'gen'} wachtend"


def _next_run_line(services: "Services") -> str:
    from bot.scheduler import next_run

    when = next_run(services.settings)
    return when.isoformat(timespec="minutes") if when is not None else "niet gepland"
