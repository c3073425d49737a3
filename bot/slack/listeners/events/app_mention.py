"""@Vraagbaak in a channel: answered in the message's thread; inside a thread, the thread is the
conversation, so follow-up questions work. The thread is an agent session while the answer is
written (processing, with a stop button; bot/slack/answer_flow/sessions.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answer_flow.conversation import is_question_event, plain_text, thread_history
from bot.slack.answer_flow.durable import DurableQuestions, Lease
from bot.slack.answer_flow.replying import Question, Replier

log = logging.getLogger(__name__)

HOW_TO_ASK = ("Hoi! Stel je vraag achter mijn naam, bijvoorbeeld: "
              "_@Vraagbaak hoeveel vakantiedagen heb ik per jaar?_")


def register(app: App, *, replier: Replier, questions: DurableQuestions | None) -> None:
    @app.event("app_mention")
    def answer_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if not is_question_event(event):
            return
        if questions is not None and questions.holds(body.get("event_id")):
            questions.answer_next(context.get("arrival_ticket"))  # this one, or one left by another replica
        else:
            answer(replier, event, client, context, context.get("arrival_ticket"))


def answer(replier: Replier, event: dict[str, Any], client: WebClient, context: BoltContext,
           ticket: int | None, *, lease: Lease | None = None) -> None:
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    text = plain_text(event.get("text", ""), bot_user_id=context.bot_user_id)
    if not text:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=HOW_TO_ASK)
        return
    question = Question(text=text, user=event["user"], channel=channel,
                        team=event.get("team") or context.team_id, message_ts=ts, thread_ts=thread_ts,
                        is_dm=False, ticket=ticket, lease=lease)

    def history() -> list:
        if not event.get("thread_ts"):
            return []  # a new thread: nothing said before
        return thread_history(client, channel=channel, thread_ts=thread_ts, before_ts=ts,
                              bot_user_id=context.bot_user_id, asker=question.user)

    replier.reply(question, client, history=history)
