"""`vraagbaak scheduler` (every scheduled job in the foreground), `vraagbaak schedule [--json]` (the
jobs and when they run next) and `vraagbaak status [--json]`."""

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
    """Adds this area's sub-commands."""
    scheduler = sub.add_parser(
        "scheduler", help="voer de geplande taken uit (herindexering, privacyopschoning, overzicht van wat de "
                          "documenten missen), op de voorgrond; Ctrl-C stopt netjes. `serve` doet dit zelf al, "
                          "tenzij --no-scheduler")
    scheduler.set_defaults(func=run_scheduler)

    schedule = sub.add_parser("schedule", help="alle geplande taken: wat, wanneer (cron) en eerstvolgende keer")
    schedule.add_argument("--json", action="store_true", help="als JSON")
    schedule.set_defaults(func=run_schedule)

    status = sub.add_parser("status", help="index, laatste en volgende herindexering, collecties, model en wachtrij")
    status.add_argument("--json", action="store_true", help="als JSON")
    status.set_defaults(func=run_status)


def run_status(args: argparse.Namespace, services: Services) -> int:
    from bot.operations.status import gather_status, render_status

    status = gather_status(services.settings, services.store, services.reindexer)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        print(render_status(status).replace("*", ""))
    return 0


def scheduled_jobs(settings) -> list[dict]:
    """Every job the settings schedule, with its next run (from the cron expressions alone)."""
    from bot.operations.scheduler import all_jobs, next_run_times

    jobs = all_jobs(settings)
    times = next_run_times(settings, jobs=jobs)
    return [{"id": job.id, "kind": job.kind, "description": job.description, "cron": job.cron,
             "timezone": settings.timezone,
             "next_run": times[job.id].isoformat() if times.get(job.id) else None} for job in jobs]


_JOB_SETTINGS = ("VRAAGBAAK_REINDEX_CRON, VRAAGBAAK_CONSISTENCY_CRON, VRAAGBAAK_PURGE_CRON en "
                 "VRAAGBAAK_GAPS_DIGEST_CRON")


def run_schedule(args: argparse.Namespace, services: Services) -> int:
    jobs = scheduled_jobs(services.settings)
    if args.json:
        print(json.dumps({"timezone": services.settings.timezone, "jobs": jobs}, ensure_ascii=False, indent=2))
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
        print(f"{job['description']}: '{job['cron']}' ({settings.timezone}), eerstvolgende {job['next_run']}",
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
    if not (settings.slack_bot_token and settings.admin_user_ids):
        log.info("no Slack bot token or admin ids: failed runs are only logged")
        return
    from bot.slack.admin_notice import watch_reindex_failures
    from bot.slack.app import build_client

    watch_reindex_failures(services.reindexer, build_client(settings), settings.admin_user_ids)
