"""Tells the admins by Slack DM when a re-index fails, whoever started it (schedule, admin, CLI).

Hooked to the Reindexer as an observer (``watch_reindex_failures``), so the scheduler and the
Reindexer stay Slack-free. A run in which a collection failed is always reported; files that could not be
read are reported once, when they first fail, not on every 15-minute run after that.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from knowledge.models import SkippedFile

if TYPE_CHECKING:
    from bot.reindexing import Reindexer, RunReport

log = logging.getLogger(__name__)

MAX_LISTED_FILES = 10


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


def failed_run_text(report: "RunReport", *, new_failures: list["SkippedFile"]) -> str:
    """The Dutch DM for a failed run, or for files that newly failed in an otherwise good run."""
    when = report.started_at or "onbekend tijdstip"
    origin = getattr(report, "trigger", "") or "onbekend"
    if report.failures:
        lines = [f":warning: Herindexering mislukt (gestart {when}, door {origin}).",
                 *[f"• Collectie *{name}*: {reason}" for name, reason in report.failures.items()],
                 "De vorige index blijft in gebruik; vragen worden gewoon beantwoord."]
        if new_failures:
            lines.append("Daarnaast kon ik deze bestanden niet lezen:")
    else:
        lines = [f":warning: Herindexering (gestart {when}, door {origin}) kon "
                 f"{len(new_failures)} bestand(en) niet lezen; de rest is bijgewerkt:"]
    for failure in new_failures[:MAX_LISTED_FILES]:
        lines.append(f"• `{failure.path}`: {failure.reason}")
    if len(new_failures) > MAX_LISTED_FILES:
        lines.append(f"… en nog {len(new_failures) - MAX_LISTED_FILES}; zie `vraagbaak status`.")
    return "\n".join(lines)


class FailedRunNotifier:
    """Observer for the Reindexer: DMs the admins about failed runs and newly failing files."""

    def __init__(self, client: WebClient, admin_user_ids: Iterable[str]) -> None:
        self._client = client
        self._admins = list(admin_user_ids)
        self._known_failures: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def __call__(self, report: "RunReport") -> None:
        failures = [SkippedFile(f"{name}:{s.path}", s.reason)
                    for name, part in report.reports.items() for s in part.skipped]
        with self._lock:
            new = [f for f in failures if (f.path, f.reason) not in self._known_failures]
            # Files that read fine again are forgotten (per collection that ran), so a relapse is told again.
            ran = tuple(f"{name}:" for name in report.reports)
            self._known_failures = {k for k in self._known_failures if not k[0].startswith(ran)}
            self._known_failures |= {(f.path, f.reason) for f in failures}
        if not (report.failures or new):
            return
        if not self._admins:
            log.warning("re-index problem, but no admin_user_ids to tell: %s", report.failures or "files failed")
            return
        notify_admins(self._client, self._admins, failed_run_text(report, new_failures=new))


def watch_reindex_failures(reindexer: "Reindexer", client: WebClient, admin_user_ids: Iterable[str]) -> FailedRunNotifier:
    """Hooks the admin DM to every run of `reindexer`; returns the observer (to remove it later)."""
    notifier = FailedRunNotifier(client, admin_user_ids)
    reindexer.add_observer(notifier)
    return notifier
