"""The Home tab's "Verwijderen" / "Terugzetten" buttons of a curated answer (admins only): the answer
is removed or put back in use, and the tab is published again with what happened on top."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.curation.answers import CuratedAnswers
from bot.curation.types import CuratedError
from bot.slack.features.admins import AdminCheck
from bot.slack.features.curated_answers import GONE, OFF, REACTIVATED, REMOVED
from bot.slack.ui.blocks import escape
from bot.slack.ui.home import ACTION_CURATED_REACTIVATE, ACTION_CURATED_REMOVE, HomeTab

log = logging.getLogger(__name__)

CURATED_NOT_ADMIN = "Alleen beheerders van Vraagbaak kunnen vaste antwoorden verwijderen of terugzetten."


def register(app: App, *, admins: AdminCheck, home: HomeTab, curated: CuratedAnswers | None) -> None:
    """`curated`: None when curated answers are switched off."""
    @app.action(ACTION_CURATED_REMOVE)
    def remove_curated(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        change_curated(admins, home, curated, body["user"]["id"], str(action.get("value", "")), client, keep=False)

    @app.action(ACTION_CURATED_REACTIVATE)
    def reactivate_curated(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        change_curated(admins, home, curated, body["user"]["id"], str(action.get("value", "")), client, keep=True)


def change_curated(admins: AdminCheck, home: HomeTab, answers: CuratedAnswers | None, user: str, answer_id: str,
                   client: WebClient, *, keep: bool) -> None:
    """Put the curated answer back in use (`keep`) or remove it; admins only."""
    if not admins.is_admin(user, client):
        log.info("refused a curated answer change from the Home tab for %s (not an admin)", user)
        home.publish(user, client, notice=CURATED_NOT_ADMIN)
        return
    if answers is None:
        home.publish(user, client, notice=OFF)
        return
    try:
        curated = answers.get(answer_id)
        if curated is None:
            notice = GONE
        elif keep:
            answers.reactivate(curated.id)
            notice = REACTIVATED.format(question=escape(curated.question))
        else:
            answers.remove(curated.id)
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
