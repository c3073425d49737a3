"""Curated answers from Slack: the message shortcut "Maak vast antwoord" on one of Vraagbaak's answers
opens a modal to edit it (admins and the owners of its collections only, bot/slack/features/curated_answers.py
decides), its submission stores it (bot/curation/), and the buttons in the DM about a suspended
answer put it back or remove it.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.curation.types import CuratedError
from bot.slack.ui.blocks import escape, is_answer_message
from bot.slack.features.curated_answers import (ACTION_REACTIVATE, ACTION_REMOVE, ANSWER_BLOCK, MODAL_CALLBACK,
                                       QUESTION_BLOCK, CurationRights, answer_id_of, curation_modal, saved_modal,
                                       submitted)
from bot.slack.parts import SlackParts
from bot.slack.answer_flow.replying import tell_privately
from bot.slack.ui.safe_text import neutralise

log = logging.getLogger(__name__)

SHORTCUT = "maak_vast_antwoord"
OFF = "Vaste antwoorden staan uit op deze Vraagbaak (VRAAGBAAK_CURATED_ANSWERS)."
NOT_AN_ANSWER = "Een vast antwoord maak je van een antwoord van Vraagbaak: kies ⋮ → *Maak vast antwoord* bij zo'n antwoord."
ANSWER_GONE = "Dit antwoord kan ik niet meer terugvinden (ouder dan de bewaartermijn?); stel de vraag opnieuw en maak daarvan een vast antwoord."
NOT_OPENED = "Het formulier kon niet geopend worden. Probeer het nog eens."
EMPTY_ANSWER = "Het antwoord is leeg."
NOT_YOURS = "Alleen de eigenaar van dit vaste antwoord of een beheerder kan dat doen."
REACTIVATED = ":white_check_mark: Het vaste antwoord op _{question}_ is weer in gebruik."
REMOVED = ":wastebasket: Het vaste antwoord op _{question}_ is verwijderd; Vraagbaak beantwoordt die vraag weer zelf."
GONE = "Dit vaste antwoord bestaat niet meer."


def register(app: App, parts: SlackParts) -> None:
    rights = CurationRights(parts.settings.collection_owners,
                            is_admin=lambda user: parts.admins.is_admin(user, app.client),
                            members_of=parts.access.members_of)

    @app.message_shortcut(SHORTCUT)
    def open_curation(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond,
                      context: BoltContext) -> None:
        ack()
        message = shortcut.get("message") or {}
        if parts.curated is None:
            tell_privately(respond, OFF)
            return
        ours = message.get("user") == context.bot_user_id or (message.get("bot_id") and message.get("bot_id") == context.bot_id)
        answer_id = answer_id_of(message) if ours and is_answer_message(message) else None
        if answer_id is None:
            tell_privately(respond, NOT_AN_ANSWER)
            return
        stored = parts.feedback.answer(answer_id)
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

    @app.view(MODAL_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        stored = parts.feedback.answer(str(metadata.get("answer", "")))
        if parts.curated is None or stored is None:
            ack(response_action="errors", errors={QUESTION_BLOCK: ANSWER_GONE})
            return
        if not rights.may_curate(user, stored.sources):  # checked again: the modal is the user's to submit
            ack(response_action="errors", errors={QUESTION_BLOCK: rights.refusal(stored.sources)})
            return
        question, answer = submitted(view)
        if not answer:
            ack(response_action="errors", errors={ANSWER_BLOCK: EMPTY_ANSWER})
            return
        collections = {s.collection for s in stored.sources if s.collection}
        try:
            curated = parts.curated.add(question=question, answer=answer, sources=stored.sources, owner=user,
                                        collection=collections.pop() if len(collections) == 1 else None,
                                        decided_by=display_name(client, user))
        except CuratedError as exc:
            ack(response_action="errors", errors={QUESTION_BLOCK: str(exc)})
            return
        log.info("curated answer %s made by %s from answer %s", curated.id, user, stored.id)
        ack(response_action="update", view=saved_modal(curated))

    @app.action(ACTION_REACTIVATE)
    def reactivate(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        review(parts, rights, body, action, respond, keep=True)

    @app.action(ACTION_REMOVE)
    def remove(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        review(parts, rights, body, action, respond, keep=False)


def review(parts: SlackParts, rights: CurationRights, body: dict[str, Any], action: dict[str, Any],
           respond: Callable[..., Any], *, keep: bool) -> None:
    """A button in the DM about a suspended answer: put it back (its sources as they are now) or remove it."""
    curated = parts.curated.get(str(action.get("value", ""))) if parts.curated is not None else None
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
            parts.curated.reactivate(curated.id)
        else:
            parts.curated.remove(curated.id)
    except CuratedError as exc:
        tell_privately(respond, str(exc))
        return
    respond(text=(REACTIVATED if keep else REMOVED).format(question=question), replace_original=True)


def display_name(client: WebClient, user: str) -> str:
    """How the answer names who decided it: the person's name in Slack (never a mention)."""
    try:
        info = client.users_info(user=user)["user"]
    except SlackApiError:
        return user
    profile = info.get("profile") or {}
    return str(profile.get("real_name") or info.get("real_name") or profile.get("display_name") or user)

