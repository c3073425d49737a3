"""The buttons in the DM about a suspended curated answer (features/curated_answers.py sends it):
"Terugzetten" puts it back with its sources as they are now, "Verwijderen" removes it; for its
owner and admins only."""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import Ack, App, Respond

from bot.curation.answers import CuratedAnswers
from bot.curation.types import CuratedError
from bot.slack.answer_flow.replying import tell_privately
from bot.slack.features.curated_answers import (ACTION_REACTIVATE, ACTION_REMOVE, GONE, REACTIVATED, REMOVED,
                                                CurationRights)
from bot.slack.ui.blocks import escape
from bot.slack.ui.safe_text import neutralise

log = logging.getLogger(__name__)

NOT_YOURS = "Alleen de eigenaar van dit vaste antwoord of een beheerder kan dat doen."


def register(app: App, *, curated: CuratedAnswers | None, rights: CurationRights) -> None:
    """`curated`: None when curated answers are switched off."""
    @app.action(ACTION_REACTIVATE)
    def reactivate(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        review(curated, rights, body, action, respond, keep=True)

    @app.action(ACTION_REMOVE)
    def remove(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        review(curated, rights, body, action, respond, keep=False)


def review(answers: CuratedAnswers | None, rights: CurationRights, body: dict[str, Any], action: dict[str, Any],
           respond: Callable[..., Any], *, keep: bool) -> None:
    """A button in the DM about a suspended answer: put it back (its sources as they are now) or remove it."""
    curated = answers.get(str(action.get("value", ""))) if answers is not None else None
    if curated is None:
        tell_privately(respond, GONE)
        return
    user = body["user"]["id"]
    if user != curated.owner and not rights.is_admin(user):
        tell_privately(respond, NOT_YOURS)
        return
    question = neutralise(escape(curated.question))
    try:
        if keep:
            answers.reactivate(curated.id)
        else:
            answers.remove(curated.id)
    except CuratedError as exc:
        tell_privately(respond, str(exc))
        return
    respond(text=(REACTIVATED if keep else REMOVED).format(question=question), replace_original=True)


