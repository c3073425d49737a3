"""The "Deel in kanaal" button under a private answer (/vraag): the answer is posted publicly in the
channel where it was asked, by the bot, or through the response_url when the bot is no member."""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.types import Answer
from bot.insights.feedback import FeedbackStore
from bot.slack.answer_flow.delivery import post_follow_ups
from bot.slack.features.answer_audience import NOT_YOURS, asked_by
from bot.slack.features.escalation import EscalationRoutes
from bot.slack.ui.blocks import ACTION_SHARE, answer_links, answer_messages, fallback_text

log = logging.getLogger(__name__)

ANSWER_GONE = "Dit antwoord kan ik niet meer terugvinden; stel de vraag gerust opnieuw."
CANNOT_SHARE = "Delen lukte niet. Probeer het nog eens, of kopieer het antwoord."


def register(app: App, *, feedback: FeedbackStore, routes: EscalationRoutes) -> None:
    @app.action(ACTION_SHARE)
    def share_in_channel(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                         respond: Respond) -> None:
        ack()
        try:
            share(feedback, routes, body, action, client, respond)
        except Exception:
            log.exception("sharing answer %s failed", action.get("value"))
            respond(text=CANNOT_SHARE, response_type="ephemeral", replace_original=False)


def share(feedback: FeedbackStore, routes: EscalationRoutes, body: dict[str, Any], action: dict[str, Any],
          client: WebClient, respond: Callable[..., Any]) -> None:
    stored = feedback.answer(str(action.get("value", "")))
    if stored is None:
        respond(text=ANSWER_GONE, response_type="ephemeral", replace_original=False)
        return
    user = body["user"]["id"]
    if not asked_by(stored, user, feedback=feedback):
        respond(text=NOT_YOURS, response_type="ephemeral", replace_original=False)
        return
    channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
    answer = Answer(stored.question, stored.answer, stored.sources)
    messages = answer_messages(answer, stored.id, question=stored.question, shared_by=user, routes=routes)
    text = fallback_text(stored.answer, links=answer_links(stored.sources))
    try:
        response = client.chat_postMessage(channel=channel, text=text, blocks=messages[0])
        post_follow_ups(client, channel, None, messages[1:], text)
        log.info("answer %s shared in %s (message %s)", stored.id, channel, response["ts"])
    except SlackApiError as exc:
        if exc.response.get("error") not in {"not_in_channel", "channel_not_found"}:
            raise
        # Not a member of the channel: the response_url may still post there on the user's behalf.
        for blocks in messages:
            respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False)
    respond(delete_original=True)
