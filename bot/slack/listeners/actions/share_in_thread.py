"""The "Deel in thread" button under a private answer to the "Vraag Vraagbaak hierover" shortcut: the
answer is posted in the thread of the message the shortcut was used on, and the sharer's replies
there are follow-ups from then on."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.types import Answer
from bot.insights.feedback import FeedbackStore
from bot.slack.answer_flow.delivery import post_follow_ups
from bot.slack.answer_flow.replying import tell_privately
from bot.slack.features.escalation import EscalationRoutes
from bot.people.followed_threads import FollowedThreads
from bot.slack.features.sharing import ACTION_SHARE_IN_THREAD, NOT_READABLE_ERRORS
from bot.slack.ui.blocks import answer_links, answer_messages, fallback_text

log = logging.getLogger(__name__)

ANSWER_GONE = "Dit antwoord kan ik niet meer terugvinden; stel de vraag gerust opnieuw."
CANNOT_SHARE = "Delen in de thread lukte niet: ik ben geen lid van dit kanaal. Nodig me uit met `/invite @Vraagbaak`."
SHARE_FAILED = "Delen lukte niet. Probeer het nog eens, of kopieer het antwoord."


def register(app: App, *, feedback: FeedbackStore, threads: FollowedThreads, routes: EscalationRoutes) -> None:
    @app.action(ACTION_SHARE_IN_THREAD)
    def share_in_thread(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                        respond: Respond) -> None:
        ack()
        try:
            share(feedback, threads, routes, body, action, client, respond)
        except Exception:
            log.exception("sharing an answer in a thread failed")
            tell_privately(respond, SHARE_FAILED)


def share(feedback: FeedbackStore, threads: FollowedThreads, routes: EscalationRoutes, body: dict[str, Any],
          action: dict[str, Any], client: WebClient, respond: Callable[..., Any]) -> None:
    details = json.loads(str(action.get("value") or "{}"))
    stored = feedback.answer(str(details.get("answer", "")))
    here = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if stored is None or details.get("channel") != here:  # the answer is shared where it was asked, only
        tell_privately(respond, ANSWER_GONE)
        return
    user, channel, thread_ts = body["user"]["id"], str(details["channel"]), str(details["thread_ts"])
    answer = Answer(stored.question, stored.answer, stored.sources)
    messages = answer_messages(answer, stored.id, question=stored.question, shared_by=user, routes=routes)
    text = fallback_text(stored.answer, links=answer_links(stored.sources))
    try:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=messages[0])
    except SlackApiError as exc:
        if exc.response.get("error") not in NOT_READABLE_ERRORS:
            raise
        tell_privately(respond, CANNOT_SHARE)
        return
    post_follow_ups(client, channel, thread_ts, messages[1:], text)
    threads.remember(channel, thread_ts, user)  # their replies in the thread are follow-ups now
    log.info("answer %s shared in a thread of %s", stored.id, channel)
    respond(delete_original=True)
