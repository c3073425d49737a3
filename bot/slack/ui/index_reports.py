"""Re-index progress and results as short Dutch Slack messages (mrkdwn); the status is bot/operations/status.py."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.errors import ReindexBusyError, VraagbaakError

if TYPE_CHECKING:
    from bot.indexing.reindexer import Reindexer, RunProgress

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
    groups: dict[str, list[Any]] = {"Toegevoegd": [], "Gewijzigd": [], "Verwijderd": [], "Mislukt": [],
                                    "Deels gelezen": []}
    per_collection = getattr(report, "reports", None)
    reports = per_collection.values() if isinstance(per_collection, dict) else [report]
    for part in reports:
        groups["Toegevoegd"] += list(getattr(part, "added", None) or [])
        groups["Gewijzigd"] += list(getattr(part, "changed", None) or [])
        groups["Verwijderd"] += list(getattr(part, "removed", None) or [])
        groups["Mislukt"] += list(getattr(part, "failed", None) or getattr(part, "skipped", None) or [])
        groups["Deels gelezen"] += list(getattr(part, "partly_read", None) or [])
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



def reindex_and_describe(reindexer: "Reindexer", collections: list[str] | None, *, full: bool, wait: bool,
                         trigger: str, progress: "RunProgress | None" = None) -> str:
    """Runs a re-index and says in Dutch how it went; never raises (the details go to the log)."""
    try:
        return describe_report(reindexer.run(collections, full=full, progress=progress, wait=wait,
                                             trigger=trigger))
    except ReindexBusyError as exc:
        return f"Niet gestart: {exc}"
    except VraagbaakError as exc:
        log.warning("re-index failed: %s", exc)
        return f"De herindexering is mislukt: {exc}"
    except Exception:
        log.exception("re-index failed")
        return "De herindexering is mislukt door een onverwachte fout. Details staan in het logboek."
