"""The submission of the curated-answer modal ("Maak vast antwoord"): checked again (the modal is the
user's to submit), then stored as a curated answer (bot/curation/); errors go back into the modal."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.curation.answers import CuratedAnswers
from bot.curation.types import CuratedError
from bot.insights.feedback import FeedbackStore
from bot.slack.features.curated_answers import (ANSWER_BLOCK, ANSWER_GONE, MODAL_CALLBACK, QUESTION_BLOCK,
                                                CurationRights, saved_modal, submitted)

log = logging.getLogger(__name__)

EMPTY_ANSWER = "Het antwoord is leeg."


def register(app: App, *, curated: CuratedAnswers | None, feedback: FeedbackStore, rights: CurationRights) -> None:
    """`curated`: None when curated answers are switched off."""
    @app.view(MODAL_CALLBACK)
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        stored = feedback.answer(str(metadata.get("answer", "")))
        if curated is None or stored is None:
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
            decided = curated.add(question=question, answer=answer, sources=stored.sources, owner=user,
                                  collection=collections.pop() if len(collections) == 1 else None,
                                  decided_by=display_name(client, user))
        except CuratedError as exc:
            ack(response_action="errors", errors={QUESTION_BLOCK: str(exc)})
            return
        log.info("curated answer %s made by %s from answer %s", decided.id, user, stored.id)
        ack(response_action="update", view=saved_modal(decided))


def display_name(client: WebClient, user: str) -> str:
    """How the answer names who decided it: the person's name in Slack (never a mention)."""
    try:
        info = client.users_info(user=user)["user"]
    except SlackApiError:
        return user
    profile = info.get("profile") or {}
    return str(profile.get("real_name") or info.get("real_name") or profile.get("display_name") or user)

