"""Feedback on an answer: Slack's feedback buttons (one `feedback_buttons` element whose clicked
button's value is "up:<answer id>" or "down:<answer id>"), and the 👍/👎 buttons of answers posted
before them (action ids feedback_up / feedback_down, value the answer id). The vote is stored with
the question, answer and sources (bot/insights/feedback.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.insights.feedback import FeedbackStore
from bot.slack.features.answer_audience import NOT_YOURS, may_act_on
from bot.slack.ui.blocks import ACTION_FEEDBACK, ACTION_VOTE_DOWN, ACTION_VOTE_UP, parse_vote

log = logging.getLogger(__name__)

THANKS = {"up": "Bedankt voor je feedback! :+1:",
          "down": "Bedankt voor je feedback. We gebruiken het om de antwoorden te verbeteren."}
UNKNOWN_ANSWER = "Dit antwoord kan ik niet meer terugvinden; je stem is niet opgeslagen."
NOT_SAVED = "Je stem kon niet worden opgeslagen. Probeer het later nog eens."


def register(app: App, *, feedback: FeedbackStore) -> None:
    @app.action(ACTION_FEEDBACK)
    def record_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                        respond: Respond) -> None:
        ack()
        parsed = parse_vote(str(action.get("value", "")))
        if parsed is None:
            log.warning("feedback button with an unknown value from %s", body["user"]["id"])
            respond(text=UNKNOWN_ANSWER, response_type="ephemeral", replace_original=False)
            return
        store_vote(feedback, respond, client, answer_id=parsed[1], user=body["user"]["id"], vote=parsed[0])

    @app.action(re.compile(f"^({ACTION_VOTE_UP}|{ACTION_VOTE_DOWN})$"))
    def record_vote(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                    respond: Respond) -> None:
        ack()
        vote = "up" if action["action_id"] == ACTION_VOTE_UP else "down"
        store_vote(feedback, respond, client, answer_id=str(action.get("value", "")), user=body["user"]["id"],
                   vote=vote)


def store_vote(feedback: FeedbackStore, respond: Respond, client: WebClient, *, answer_id: str, user: str,
               vote: str) -> None:
    """Stores the vote of someone the answer was given to and thanks them privately (or says why it
    was not stored)."""
    try:
        answer = feedback.answer(answer_id)
        if answer is not None and not may_act_on(answer, user, feedback=feedback, client=client):
            respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
            return
        stored = answer is not None and feedback.vote(answer_id, user=user, vote=vote)  # type: ignore[arg-type]
    except Exception:
        log.exception("storing a vote failed")
        respond(text=NOT_SAVED, response_type="ephemeral", replace_original=False)
        return
    log.info("vote %s from %s on answer %s", vote, user, answer_id)
    respond(text=THANKS[vote] if stored else UNKNOWN_ANSWER, response_type="ephemeral", replace_original=False)
