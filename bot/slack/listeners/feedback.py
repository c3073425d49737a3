"""👍/👎 on an answer: the vote is stored with the question, answer and sources (bot/feedback.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.slack.blocks import ACTION_VOTE_DOWN, ACTION_VOTE_UP
from bot.slack.parts import SlackParts

log = logging.getLogger(__name__)

THANKS = {"up": "Bedankt voor je feedback! :+1:",
          "down": "Bedankt voor je feedback. We gebruiken het om de antwoorden te verbeteren."}
UNKNOWN_ANSWER = "Dit antwoord kan ik niet meer terugvinden; je stem is niet opgeslagen."
NOT_SAVED = "Je stem kon niet worden opgeslagen. Probeer het later nog eens."


def register(app: App, parts: SlackParts) -> None:
    @app.action(re.compile(f"^({ACTION_VOTE_UP}|{ACTION_VOTE_DOWN})$"))
    def record_vote(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        vote = "up" if action["action_id"] == ACTION_VOTE_UP else "down"
        user = body["user"]["id"]
        try:
            stored = parts.feedback.vote(str(action.get("value", "")), user=user, vote=vote)
        except Exception:
            log.exception("storing a vote failed")
            respond(text=NOT_SAVED, response_type="ephemeral", replace_original=False)
            return
        log.info("vote %s from %s on answer %s", vote, user, action.get("value"))
        respond(text=THANKS[vote] if stored else UNKNOWN_ANSWER, response_type="ephemeral",
                replace_original=False)
