"""The Home tab's re-index button (admins only): the same re-index as `/vraagbaak reindex`, in the
background, its result shown in the tab."""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.features.admins import NOT_ADMIN
from bot.slack.parts import SlackParts
from bot.slack.ui.home import ACTION_REINDEX, HomeTab
from bot.slack.ui.index_reports import reindex_and_describe

log = logging.getLogger(__name__)

STARTED = "De herindexering van alle collecties is gestart. Het resultaat verschijnt hier."
ALREADY_RUNNING = "Er loopt al een herindexering; probeer het straks opnieuw."
QUEUED = "Er loopt al een herindexering; de jouwe start zodra die klaar is. Het resultaat verschijnt hier."


def register(app: App, parts: SlackParts, home: HomeTab) -> None:
    @app.action(ACTION_REINDEX)
    def reindex_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        if not parts.admins.is_admin(user, client):
            log.info("refused a re-index from the Home tab for %s (not an admin)", user)
            home.publish(user, client, notice=NOT_ADMIN)
            return
        start_reindex(parts, home, user, client)


def start_reindex(parts: SlackParts, home: HomeTab, user: str, client: WebClient) -> None:
    wait = parts.settings.reindex_when_busy == "wait"
    busy = parts.reindexer.is_running()
    if busy and not wait:
        home.publish(user, client, notice=ALREADY_RUNNING)
        return
    home.publish(user, client, notice=QUEUED if busy else STARTED)

    def run() -> None:
        log.info("re-index asked by %s from the Home tab", user)
        result = reindex_and_describe(parts.reindexer, None, full=False, wait=wait, trigger=f"slack:{user}")
        home.publish(user, client, notice=result)

    threading.Thread(target=run, name="slack-home-reindex", daemon=True).start()
