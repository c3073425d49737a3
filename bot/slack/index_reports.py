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


def _files(report: Any, *attributes: str) -> list[Any]:
    for attribute in attributes:
        value = getattr(report, attribute, None)
        if value is not None:
            return list(value)
    return []


def describe_progress(*args: Any, **kwargs: Any) -> str:
    """Whatever the re-indexer reports as progress, in a few words."""
    event = args[0] if len(args) == 1 and not kwargs else None
    parts = []
    collection = kwargs.get("collection", getattr(event, "collection", None))
    done = kwargs.get("done", getattr(event, "done", None))
    total = kwargs.get("total", getattr(event, "total", None))
    if collection:
        parts.append(f"collectie *{collection}*")
    if done is not None and total:
        parts.append(f"{done} van {total}")
    elif isinstance(event, (int, float)):
        parts.append(f"{event} verwerkt")
    elif isinstance(event, str):
        parts.append(event)
    return ", ".join(parts)


def describe_report(report: Any) -> str:
    """A re-index result: added / changed / removed / failed files, and how long it took."""
    groups = [("Toegevoegd", _files(report, "added")), ("Gewijzigd", _files(report, "changed")),
              ("Verwijderd", _files(report, "removed")), ("Mislukt", _files(report, "failed", "skipped"))]
    duration = getattr(report, "duration_s", None)
    head = "*Herindexering klaar*" + (f" in {duration:.1f} s" if isinstance(duration, (int, float)) else "")
    counts = ", ".join(f"{label.lower()}: {len(files)}" for label, files in groups)
    lines = [f"{head}: {counts}."]
    error = getattr(report, "error", None)
    if error:
        lines = [f"*Herindexering mislukt*: {error}. De vorige index blijft in gebruik.", f"({counts})"]
    for label, files in groups:
        if files:
            names = _names(files[:LISTED_FILES])
            more = f" en nog {len(files) - LISTED_FILES}" if len(files) > LISTED_FILES else ""
            lines.append(f"• {label}: {', '.join(names)}{more}")
    if not error and not any(files for _, files in groups):
        lines.append("Er was niets veranderd.")
    return "\n".join(lines)


def describe_status(services: "Services") -> str:
    """Documents, chunks, last re-index, model and queue length; every line on its own, so one
    part that cannot be read does not hide the others."""
    lines = ["*Status van Vraagbaak*"]
    for label, read in (("Index", lambda: _index_line(services)),
                        ("Laatste herindexering", lambda: _last_run_line(services)),
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
    duration = getattr(report, "duration_s", None)
    counts = describe_report(report).split(": ", 1)[-1].split("\n")[0]
    return f"{started}" + (f" ({duration:.1f} s)" if isinstance(duration, (int, float)) else "") + f"; {counts}"


def _queue_line(services: "Services") -> str:
    waiting = services.generator.queue_length()
    return "leeg" if waiting == 0 else f"{waiting} vra{'ag' if waiting == 1 else 'gen'} wachtend"
