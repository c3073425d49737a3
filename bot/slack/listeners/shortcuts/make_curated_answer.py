"""The message shortcut "Maak vast antwoord" on one of Vraagbaak's answers: opens a modal to edit it
into a curated answer (bot/curation/), for admins and the owners of its collections only
(bot/slack/features/curated_answers.py decides); its submission is views/save_curated_answer.py.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.curation.answers import CuratedAnswers
from bot.insights.feedback import FeedbackStore
from bot.slack.answer_flow.replying import tell_privately
from bot.slack.features.curated_answers import ANSWER_GONE, OFF, CurationRights, answer_id_of, curation_modal
from bot.slack.ui.blocks import is_answer_message

log = logging.getLogger(__name__)

SHORTCUT = "maak_vast_antwoord"
NOT_AN_ANSWER = ("Een vast antwoord maak je van een antwoord van Vraagbaak: kies ⋮ → *Maak vast antwoord* "
                 "bij zo'n antwoord.")
NOT_OPENED = "Het formulier kon niet geopend worden. Probeer het nog eens."


def register(app: App, *, curated: CuratedAnswers | None, feedback: FeedbackStore, rights: CurationRights) -> None:
    """`curated`: None when curated answers are switched off."""
    @app.message_shortcut(SHORTCUT)
    def open_curation(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond,
                      context: BoltContext) -> None:
        ack()
        message = shortcut.get("message") or {}
        if curated is None:
            tell_privately(respond, OFF)
            return
        ours = message.get("user") == context.bot_user_id \
            or (message.get("bot_id") and message.get("bot_id") == context.bot_id)
        answer_id = answer_id_of(message) if ours and is_answer_message(message) else None
        if answer_id is None:
            tell_privately(respond, NOT_AN_ANSWER)
            return
        stored = feedback.answer(answer_id)
        if stored is None:
            tell_privately(respond, ANSWER_GONE)
            return
        user = shortcut["user"]["id"]
        if not rights.may_curate(user, stored.sources):
            log.info("%s may not make a curated answer of answer %s", user, answer_id)
            tell_privately(respond, rights.refusal(stored.sources))
            return
        try:
            client.views_open(trigger_id=shortcut["trigger_id"],
                              view=curation_modal(stored, channel=shortcut["channel"]["id"]))
        except SlackApiError as exc:
            log.warning("could not open the curated-answer modal: %s", exc.response.get("error"))
            tell_privately(respond, NOT_OPENED)
