"""The scheduled jobs: APScheduler jobs built from the cron expressions in settings.

Two re-index jobs, both through the one :class:`bot.indexing.reindexer.Reindexer`, so a scheduled run and
an admin's ``/vraagbaak reindex`` share its lock (and, across processes, the Indexer's file lock):

- ``reindex`` (``settings.schedule.reindex_cron``, default every 15 minutes): incremental. Files whose
  content hash is unchanged cost no embedding; changed files are replaced, deleted ones removed.
- ``consistency`` (``settings.schedule.consistency_cron``, default 02:00): a full consistency check,
  ``full=True``. Every collection is rebuilt from its folder: every file is read, hashed, chunked and
  embedded again, and the collection's rows are replaced in one commit by exactly those chunks. So
  whatever an incremental run trusts to be right is repaired: chunks missing from the table, extra
  rows (of files that are gone, stray chunks), stale rows (a hash that no longer matches, chunks cut
  with older chunk settings); then the full-text index is refreshed and the table compacted. It
  costs one embedding of the whole corpus, hence nightly. Collections in the index that are no
  longer configured are left alone (``vraagbaak index MAP`` may have put them there on purpose);
  ``vraagbaak status`` lists them as ``configured: false``.

Two more, each run by a function given to the scheduler (bot/services.py assembles them):

- ``purge`` (``settings.schedule.purge_cron``, default 03:30 daily): the privacy purge. Every store in the
  registry of personal data (``Services.personal_data``, bot/storage/personal.py) deletes what is
  past its retention period, e.g. answers and votes older than ``retention_days``: deploy/PRIVACY.md.
- ``gaps-digest`` (``settings.schedule.gaps_digest_cron``, default Mondays 09:00): what the documents are
  missing, the declined and 👎 questions of the last days grouped (bot/insights/gaps.py), handed to the
  digest's observers (the Slack layer DMs the admins).
- ``permissions`` (``settings.schedule.permission_sync_minutes``, default every 10 minutes; only with sources
  in the sources file): who may read each document is read again at its source and written next to
  its chunks, without downloading or embedding anything (bot/indexing/source_runs.py).

Cron expressions have the usual five fields (minute hour day month day-of-week, with 0 and 7 =
Sunday as in crontab), or six with seconds first (``*/2 * * * * *``: every two seconds — for tests).
An empty expression switches its job off. All jobs: ``coalesce=True`` (a backlog of missed runs
runs once), ``max_instances=1``, ``misfire_grace_time`` from settings. A job that finds a run busy
(the other job, an admin's, another process's) follows ``reindex_when_busy``: ``refuse`` skips it
(logged), ``wait`` waits; the consistency check always waits. This module is Slack-free:
failures reach the admins through the Reindexer's observers (see ``bot/slack/features/admin_notice.py``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.errors import ReindexBusyError, VraagbaakError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.indexing.reindexer import Reindexer

log = logging.getLogger(__name__)

_WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 = Sunday
_NUMERIC_WEEKDAYS = re.compile(r"^[0-9*,/\-]+$")


class ScheduleError(VraagbaakError):
    """A cron expression in the settings cannot be used."""


REINDEX, PURGE, DIGEST, PERMISSIONS = "reindex", "purge", "digest", "permissions"  # what a job does


@dataclass(frozen=True)
class ScheduledJob:
    """One job: when (cron) and what (a re-index, incremental or full; the purge; the digest)."""

    id: str
    cron: str
    full: bool
    description: str
    kind: str = REINDEX


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A CronTrigger from a crontab expression (5 fields, or 6 with seconds first)."""
    values = expression.split()
    if len(values) == 5:
        values = ["0", *values]
    if len(values) != 6:
        raise ScheduleError(
            f"cron-expressie '{expression}' heeft {len(values)} velden; verwacht 5 (of 6 met seconden vooraan)")
    second, minute, hour, day, month, day_of_week = values
    try:
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=_apscheduler_weekdays(day_of_week), timezone=timezone)
    except (ValueError, KeyError) as exc:
        raise ScheduleError(f"cron-expressie '{expression}' is ongeldig: {exc}") from exc


def _apscheduler_weekdays(field: str) -> str:
    """APScheduler 3 counts weekdays from Monday = 0; crontab from Sunday = 0. Names mean the same
    in both, so numeric day-of-week fields are rewritten as names."""
    if field in {"*", "?"} or not _NUMERIC_WEEKDAYS.match(field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first_text, last_text = span.split("-", 1)
            first, last = int(first_text), int(last_text)
        else:
            first = last = int(span)
            if step_text:
                last = 6
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step > 0):
            raise ScheduleError(f"dag-van-de-week '{field}' is ongeldig (0–7, 0 en 7 = zondag)")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_WEEKDAY_NAMES[day] for day in sorted(days))


def planned_jobs(settings: Settings) -> list[ScheduledJob]:
    """The re-index jobs the settings ask for; a job with an empty cron expression is off."""
    jobs = [
        ScheduledJob("reindex", settings.schedule.reindex_cron.strip(), False, "incrementele herindexering"),
        ScheduledJob("consistency", settings.schedule.consistency_cron.strip(), True, "volledige consistentiecontrole"),
    ]
    return [job for job in jobs if job.cron]


def maintenance_jobs(settings: Settings) -> list[ScheduledJob]:
    """The privacy purge and the gaps digest the settings ask for (empty cron expression: off)."""
    jobs = [
        ScheduledJob("purge", settings.schedule.purge_cron.strip(), False,
                     f"privacyopschoning (bewaartermijn {settings.privacy.retention_days} dagen)", PURGE),
        ScheduledJob("gaps-digest", settings.schedule.gaps_digest_cron.strip(), False,
                     f"overzicht van wat de documenten missen (laatste {settings.schedule.gaps_digest_days} dagen)",
                     DIGEST),
    ]
    minutes = settings.schedule.permission_sync_minutes
    if minutes > 0 and settings.documents.sources_file is not None:
        jobs.append(ScheduledJob("permissions", every_minutes(minutes), False,
                                 f"synchronisatie van leesrechten (elke {minutes} minuten)", PERMISSIONS))
    return [job for job in jobs if job.cron]


def every_minutes(minutes: int) -> str:
    """A cron expression for "every `minutes` minutes" (from the whole hour; above 59, whole hours)."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{max(1, min(minutes // 60, 23))} * * *"


def all_jobs(settings: Settings) -> list[ScheduledJob]:
    return planned_jobs(settings) + maintenance_jobs(settings)


def next_run_times(settings: Settings, now: datetime | None = None,
                   jobs: list[ScheduledJob] | None = None) -> dict[str, datetime | None]:
    """When each planned job fires next (default: the re-index jobs), computed from the cron
    expressions alone.

    Works in any process (``vraagbaak status`` next to a running ``vraagbaak serve``): the schedule
    is a pure function of the settings, so there is no need to ask the live scheduler."""
    result: dict[str, datetime | None] = {}
    for job in planned_jobs(settings) if jobs is None else jobs:
        trigger = cron_trigger(job.cron, settings.schedule.timezone)
        moment = now or datetime.now(trigger.timezone)
        result[job.id] = trigger.get_next_fire_time(None, moment)
    return result


def next_run(settings: Settings, now: datetime | None = None) -> datetime | None:
    """The earliest next scheduled re-index of any job; None when scheduling is off."""
    times = [t for t in next_run_times(settings, now).values() if t is not None]
    return min(times) if times else None


class Scheduler:
    """A BackgroundScheduler that runs the re-index jobs through one Reindexer, and the purge and
    the digest through the functions given for them (a job whose function is missing is left out)."""

    def __init__(self, reindexer: "Reindexer", jobs: list[ScheduledJob], *, timezone: str,
                 misfire_grace_seconds: int, when_busy: str = "refuse",
                 purge: Callable[[], object] | None = None, digest: Callable[[], object] | None = None,
                 permissions: Callable[[], object] | None = None) -> None:
        self._reindexer = reindexer
        self._runners: dict[str, Callable[[], object] | None] = {PURGE: purge, DIGEST: digest,
                                                                 PERMISSIONS: permissions}
        self._jobs = [job for job in jobs if job.kind == REINDEX or self._runners.get(job.kind) is not None]
        self._when_busy = when_busy
        triggers = {job.id: cron_trigger(job.cron, timezone) for job in self._jobs}  # Dutch errors first
        # Two workers: a consistency check that meets a running incremental run can wait for it
        # while the pool stays free; the Reindexer's lock decides who runs, not the pool.
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=2)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": misfire_grace_seconds},
            timezone=triggers[self._jobs[0].id].timezone if self._jobs else "UTC",
        )
        for job in self._jobs:
            self._scheduler.add_job(self.run_job, triggers[job.id], args=(job,), id=job.id,
                                    name=job.description)
        self.on_skipped: Callable[[ScheduledJob], None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, reindexer: "Reindexer", *,
                      purge: Callable[[], object] | None = None,
                      digest: Callable[[], object] | None = None,
                      permissions: Callable[[], object] | None = None) -> "Scheduler":
        return cls(reindexer, all_jobs(settings), timezone=settings.schedule.timezone,
                   misfire_grace_seconds=settings.schedule.misfire_grace_seconds,
                   when_busy=settings.operations.reindex_when_busy, purge=purge, digest=digest,
                   permissions=permissions)

    @property
    def jobs(self) -> list[ScheduledJob]:
        return list(self._jobs)

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def start(self) -> None:
        self._scheduler.start()
        for job_id, moment in self.next_run_times().items():
            log.info("scheduled job %s: next run %s", job_id, moment.isoformat() if moment else "-")

    def shutdown(self, *, wait: bool = True) -> None:
        """Stops scheduling; with wait, a run in progress is allowed to finish first."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def next_run_times(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def run_job(self, job: ScheduledJob) -> None:
        """One scheduled run. Never raises: a failed re-index is recorded and reported by the
        Reindexer, a failed purge or digest is logged (and tried again at its next time)."""
        if job.kind != REINDEX:
            self._run_other(job)
            return
        # A nightly check that meets a running run waits for it: skipping would lose the night.
        wait = job.full or self._when_busy == "wait"
        log.info("scheduled %s starts", job.id)
        try:
            report = self._reindexer.run(full=job.full, wait=wait, trigger=f"schema:{job.id}")
        except ReindexBusyError:
            log.info("scheduled %s skipped: another re-index is running", job.id)
            if self.on_skipped is not None:
                self.on_skipped(job)
            return
        except Exception:  # noqa: BLE001 - the scheduler thread must survive a failed run
            log.exception("scheduled %s failed", job.id)
            return
        log.info("scheduled %s done in %.1fs", job.id, getattr(report, "duration_s", 0.0))


    def _run_other(self, job: ScheduledJob) -> None:
        runner = self._runners.get(job.kind)
        if runner is None:
            return
        log.info("scheduled %s starts", job.id)
        try:
            result = runner()
        except Exception:  # noqa: BLE001 - the scheduler thread must survive it
            log.exception("scheduled %s failed", job.id)
            return
        log.info("scheduled %s done: %s", job.id, _summary(result))


ReindexScheduler = Scheduler  # its name from before the purge and the digest joined it


def _summary(result: object) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{name} {count}" for name, count in result.items()) or "niets"
    if isinstance(result, list):
        return f"{len(result)} groep(en)"
    return str(result)
