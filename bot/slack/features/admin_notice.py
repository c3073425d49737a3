"""Tells the admins by Slack DM when a re-index fails, whoever started it (schedule, admin, CLI).

Hooked to the Reindexer as an observer (``watch_reindex_failures``), so the scheduler and the
Reindexer stay Slack-free. A failed collection or an unreadable file is told when it first appears
and then once a day while it lasts, not on every 15-minute run.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from knowledge.models import SkippedFile

if TYPE_CHECKING:
    from bot.indexing.reindexer import Reindexer, RunReport

log = logging.getLogger(__name__)

MAX_LISTED_FILES = 10
REMIND_AFTER_S = 24 * 3600


def notify_admins(client: WebClient, admin_user_ids: Iterable[str], text: str) -> int:
    """Sends `text` as a DM to every admin; returns how many received it. Never raises."""
    sent = 0
    for user_id in admin_user_ids:
        try:
            client.chat_postMessage(channel=user_id, text=text, unfurl_links=False)
            sent += 1
        except (SlackApiError, OSError) as exc:
            log.warning("could not DM admin %s about a failed re-index: %s", user_id, exc)
    return sent


def failed_run_text(report: "RunReport", *, collections: dict[str, str], files: list[SkippedFile]) -> str:
    """The Dutch DM: collections that failed (with their reason) and files that could not be read."""
    when = report.started_at or "onbekend tijdstip"
    origin = report.trigger or "onbekend"
    if collections:
        lines = [f":warning: Herindexering mislukt (gestart {when}, door {origin}).",
                 *[f"• Collectie *{name}*: {reason}" for name, reason in collections.items()],
                 "De vorige index blijft in gebruik; vragen worden gewoon beantwoord."]
        if files:
            lines.append("Daarnaast kon ik deze bestanden niet lezen:")
    else:
        lines = [f":warning: Herindexering (gestart {when}, door {origin}) kon "
                 f"{len(files)} bestand(en) niet lezen; de rest is bijgewerkt:"]
    for failure in files[:MAX_LISTED_FILES]:
        lines.append(f"• `{failure.path}`: {failure.reason}")
    if len(files) > MAX_LISTED_FILES:
        lines.append(f"… en nog {len(files) - MAX_LISTED_FILES}; zie `vraagbaak status`.")
    return "\n".join(lines)


def repaired_text(report: "RunReport") -> str:
    """The Dutch DM after a full run found the index damaged and rebuilt it (e.g. the nightly one)."""
    return "\n".join([
        f":wrench: De index was beschadigd; de volledige herindexering (gestart {report.started_at or '?'}, "
        f"door {report.trigger or 'onbekend'}) heeft hem verwijderd en uit de bronmappen opnieuw opgebouwd.",
        *[f"• {problem}" for problem in report.repaired[:MAX_LISTED_FILES]],
        "Komt dit vaker voor, controleer dan de schijf en de back-ups van de datamap."])


class FailedRunNotifier:
    """Observer for the Reindexer: DMs the admins when a collection fails or a file cannot be read.

    A problem is told when it first appears and, while it lasts, again once a day, so a missing
    folder does not bring a DM every 15 minutes. A problem that went away is forgotten, so a
    relapse is told at once."""

    def __init__(self, client: WebClient, admin_user_ids: Iterable[str], *,
                 remind_after_s: float = REMIND_AFTER_S) -> None:
        self._client = client
        self._admins = list(admin_user_ids)
        self._remind_after_s = remind_after_s
        self._told: dict[tuple[str, str, str], float] = {}  # (collection, path, reason) -> when
        self._lock = threading.Lock()

    def __call__(self, report: "RunReport") -> None:
        if report.repaired and self._admins:  # rare and worth knowing each time: never held back
            notify_admins(self._client, self._admins, repaired_text(report))
        problems = {(name, "", reason) for name, reason in report.failures.items()}
        problems |= {(name, s.path, s.reason) for name, part in report.reports.items() for s in part.skipped}
        with self._lock:
            ran = {*report.reports, *report.failures}
            self._told = {k: t for k, t in self._told.items() if k[0] not in ran or k in problems}
            now = time.monotonic()
            due = sorted(k for k in problems if now - self._told.get(k, -self._remind_after_s) >= self._remind_after_s)
            self._told.update({k: now for k in due})
        if not due:
            return
        if not self._admins:
            log.warning("re-index problems, but no admin_user_ids to tell: %s", due)
            return
        collections = {name: reason for name, path, reason in due if not path}
        files = [SkippedFile(f"{name}:{path}", reason) for name, path, reason in due if path]
        notify_admins(self._client, self._admins, failed_run_text(report, collections=collections, files=files))


def watch_reindex_failures(reindexer: "Reindexer", client: WebClient,
                           admin_user_ids: Iterable[str]) -> FailedRunNotifier:
    """Hooks the admin DM to every run of `reindexer`; returns the observer."""
    notifier = FailedRunNotifier(client, admin_user_ids)
    reindexer.run_finished.add(notifier)
    return notifier
