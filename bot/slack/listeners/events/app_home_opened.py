"""`app_home_opened`: the Messages tab and the Home tab of the app.

Messages tab (agent view: the DM-open signal, which replaces assistant_thread_started): a person is
greeted once, with the suggested prompts pinned to the tab; who was greeted is remembered across
restarts, pseudonymously (bot/people/first_contact.py). Opening it again does nothing.
Home tab: published per person (bot/slack/ui/home.py); for admins with a re-index button, which runs
the same re-index as `/vraagbaak reindex` (refused to others) and shows its result in the tab, and
with a "Verwijderen" / "Terugzetten" button per curated answer (admins only as well).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.curation.types import CuratedError
from bot.slack.ui.blocks import escape
from bot.slack.ui.home import ACTION_CURATED_REACTIVATE, ACTION_CURATED_REMOVE, ACTION_REINDEX, HomeTab
from bot.slack.ui.index_reports import reindex_and_describe
from bot.slack.listeners.shortcuts.make_curated_answer import GONE, OFF, REACTIVATED, REMOVED
from bot.slack.listeners.events.message_im import GREETING, PROMPTS_TITLE, SUGGESTED_PROMPTS
from bot.slack.listeners.commands.vraagbaak import NOT_ADMIN
from bot.slack.parts import SlackParts

log = logging.getLogger(__name__)

STARTED = "De herindexering van alle collecties is gestart. Het resultaat verschijnt hier."
ALREADY_RUNNING = "Er loopt al een herindexering; probeer het straks opnieuw."
QUEUED = "Er loopt al een herindexering; de jouwe start zodra die klaar is. Het resultaat verschijnt hier."
CURATED_NOT_ADMIN = "Alleen beheerders van Vraagbaak kunnen vaste antwoorden verwijderen of terugzetten."


def register(app: App, parts: SlackParts) -> None:
    home = HomeTab(status=parts.status, feedback=parts.feedback, access=parts.access, admins=parts.admins,
                   examples=[prompt["message"] for prompt in SUGGESTED_PROMPTS], gaps=parts.gaps,
                   curated=parts.curated)
    parts.reindexer.add_observer(lambda run: home.refresh_admins(app.client))

    @app.event("app_home_opened")
    def on_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        user, tab = event.get("user"), event.get("tab")
        if not user:
            return
        if tab == "messages":
            greet_once(parts, str(user), event.get("channel"), client)
        elif tab == "home":
            home.publish(str(user), client)
        else:
            log.debug("app_home_opened on tab %r: nothing to do", tab)

    @app.action(ACTION_REINDEX)
    def reindex_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        if not parts.admins.is_admin(user, client):
            log.info("refused a re-index from the Home tab for %s (not an admin)", user)
            home.publish(user, client, notice=NOT_ADMIN)
            return
        start_reindex(parts, home, user, client)

    @app.action(ACTION_CURATED_REMOVE)
    def remove_curated(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        change_curated(parts, home, body["user"]["id"], str(action.get("value", "")), client, keep=False)

    @app.action(ACTION_CURATED_REACTIVATE)
    def reactivate_curated(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        change_curated(parts, home, body["user"]["id"], str(action.get("value", "")), client, keep=True)


def change_curated(parts: SlackParts, home: HomeTab, user: str, answer_id: str, client: WebClient, *,
                   keep: bool) -> None:
    """A curated answer's button in the Home tab: put it back in use (`keep`) or remove it; admins only.
    The tab is published again with what happened on top."""
    if not parts.admins.is_admin(user, client):
        log.info("refused a curated answer change from the Home tab for %s (not an admin)", user)
        home.publish(user, client, notice=CURATED_NOT_ADMIN)
        return
    if parts.curated is None:
        home.publish(user, client, notice=OFF)
        return
    try:
        curated = parts.curated.get(answer_id)
        if curated is None:
            notice = GONE
        elif keep:
            parts.curated.reactivate(curated.id)
            notice = REACTIVATED.format(question=escape(curated.question))
        else:
            parts.curated.remove(curated.id)
            notice = REMOVED.format(question=escape(curated.question))
    except CuratedError as exc:  # e.g. a source of it is no longer in the index
        notice = str(exc)
    except Exception:
        log.exception("curated answer %s could not be changed from the Home tab", answer_id)
        notice = "Dat lukte niet door een fout aan mijn kant; probeer het straks opnieuw."
    else:
        if curated is not None:
            log.info("curated answer %s %s by %s from the Home tab", curated.id,
                     "reactivated" if keep else "removed", user)
    home.publish(user, client, notice=notice)


def greet_once(parts: SlackParts, user: str, channel: str | None, client: WebClient) -> None:
    """The first time a person opens the Messages tab: suggested prompts and a greeting."""
    if not channel:
        return
    if not parts.greeted.first_time(user):
        log.debug("%s opened the Messages tab; greeted before, nothing to do", user)
        return
    try:
        # No thread_ts: Slack pins the prompts to the tab (agent apps' calls with one are ignored).
        client.assistant_threads_setSuggestedPrompts(channel_id=channel, prompts=SUGGESTED_PROMPTS,
                                                     title=PROMPTS_TITLE)
        client.chat_postMessage(channel=channel, text=GREETING)
    except SlackApiError as exc:
        parts.greeted.undo(user)  # try again at the next opening
        log.warning("could not greet %s in the Messages tab: %s", user, exc.response.get("error"))
        return
    log.info("greeted %s in the Messages tab", user)


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
