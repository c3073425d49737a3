"""`vraagbaak scheduler` (every scheduled job in the foreground) and `vraagbaak schedule [--json]` (the
jobs and when they run next)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from bot.services import Services

if TYPE_CHECKING:
    from bot.operations.scheduler import Scheduler

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    scheduler = sub.add_parser(
        "scheduler", help="voer de geplande taken uit (herindexering, privacyopschoning, overzicht van wat de "
                          "documenten missen), op de voorgrond; Ctrl-C stopt netjes. `serve` doet dit zelf al, "
                          "tenzij --no-scheduler")
    scheduler.set_defaults(func=run_scheduler)

    schedule = sub.add_parser("schedule", help="alle geplande taken: wat, wanneer (cron) en eerstvolgende keer")
    schedule.add_argument("--json", action="store_true", help="als JSON")
    schedule.set_defaults(func=run_schedule)


def scheduled_jobs(settings) -> list[dict]:
    """Every job the settings schedule, with its next run (from the cron expressions alone)."""
    from bot.operations.scheduler import all_jobs, next_run_times

    jobs = all_jobs(settings)
    times = next_run_times(settings, jobs=jobs)
    return [{"id": job.id, "kind": job.kind, "description": job.description, "cron": job.cron,
             "timezone": settings.schedule.timezone,
             "next_run": times[job.id].isoformat() if times.get(job.id) else None} for job in jobs]


_JOB_SETTINGS = ("VRAAGBAAK_REINDEX_CRON, VRAAGBAAK_CONSISTENCY_CRON, VRAAGBAAK_PURGE_CRON en "
                 "VRAAGBAAK_GAPS_DIGEST_CRON")


def run_schedule(args: argparse.Namespace, services: Services) -> int:
    jobs = scheduled_jobs(services.settings)
    if args.json:
        print(json.dumps({"timezone": services.settings.schedule.timezone, "jobs": jobs}, ensure_ascii=False, indent=2))
        return 0
    if not jobs:
        print(f"Er zijn geen geplande taken ({_JOB_SETTINGS} zijn leeg).")
        return 0
    for job in jobs:
        print(f"{job['id']:12} {job['description']}: '{job['cron']}' ({job['timezone']}), "
              f"eerstvolgende {job['next_run'] or '-'}")
    return 0


def run_scheduler(args: argparse.Namespace, services: Services) -> int:
    settings = services.settings
    schedule = services.scheduler
    if not schedule.jobs:
        print(f"Er is geen schema ingesteld ({_JOB_SETTINGS} zijn leeg).", file=sys.stderr)
        return 1
    _watch_failures(services)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    for job in scheduled_jobs(settings):
        print(f"{job['description']}: '{job['cron']}' ({settings.schedule.timezone}), eerstvolgende {job['next_run']}",
              file=sys.stderr)
    schedule.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    _stop(schedule, services)
    print("Planner gestopt.", file=sys.stderr)
    return 0


def _stop(schedule: "Scheduler", services: Services) -> None:
    """Stops scheduling; a run in progress may finish. A second Ctrl-C stops at once: the index
    stays usable because a run commits in one step at its end."""
    if services.reindexer.is_running():
        print("Wacht tot de lopende herindexering klaar is… (nogmaals Ctrl-C: direct stoppen)", file=sys.stderr)
    try:
        schedule.shutdown(wait=True)
    except KeyboardInterrupt:
        print("Direct gestopt; de vorige index blijft in gebruik.", file=sys.stderr)
        sys.stderr.flush()
        os._exit(130)  # the worker thread would otherwise keep the process alive until it finishes


def _watch_failures(services: Services) -> None:
    """DMs the admins about failed runs when a bot token is configured."""
    settings = services.settings
    if not (settings.slack.bot_token and settings.access.admin_user_ids):
        log.info("no Slack bot token or admin ids: failed runs are only logged")
        return
    services.tell_admins_about_failed_runs()
