"""The Home tab's re-index button (admins only): the same re-index as `/vraagbaak reindex`, on a thread
that features/reindex_jobs.py starts and tracks, its result shown in the tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.indexing.reindexer import BUSY_ELSEWHERE_MESSAGE, CLOSED_MESSAGE
from bot.slack.features.admins import NOT_ADMIN, AdminCheck
from bot.slack.features.reindex_jobs import ReindexJobs, Start
from bot.slack.ui.home import ACTION_REINDEX, HomeTab
from bot.slack.ui.index_reports import reindex_and_describe

log = logging.getLogger(__name__)

STARTED = "De herindexering van alle collecties is gestart. Het resultaat verschijnt hier."
ALREADY_RUNNING = "Er loopt al een herindexering; probeer het straks opnieuw."
QUEUED = "Er loopt al een herindexering; de jouwe start zodra die klaar is. Het resultaat verschijnt hier."
NOTICES: dict[Start, str] = {"started": STARTED, "queued": QUEUED, "busy": ALREADY_RUNNING,
                             "elsewhere": BUSY_ELSEWHERE_MESSAGE, "stopping": CLOSED_MESSAGE}


def register(app: App, *, admins: AdminCheck, home: HomeTab, reindex_jobs: ReindexJobs) -> None:
    @app.action(ACTION_REINDEX)
    def reindex_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        if not admins.is_admin(user, client):
            log.info("refused a re-index from the Home tab for %s (not an admin)", user)
            home.publish(user, client, notice=NOT_ADMIN)
            return
        start_reindex(reindex_jobs, home, user, client)


def start_reindex(jobs: ReindexJobs, home: HomeTab, user: str, client: WebClient) -> None:
    def run(wait: bool) -> None:
        log.info("re-index asked by %s from the Home tab", user)
        result = reindex_and_describe(jobs.reindexer, None, full=False, wait=wait, trigger=f"slack:{user}")
        home.publish(user, client, notice=result)

    def announce(state: Start) -> None:
        home.publish(user, client, notice=NOTICES[state])

    state = jobs.start(run, announce=announce, name="slack-home-reindex")
    if state in ("busy", "elsewhere", "stopping"):
        announce(state)
