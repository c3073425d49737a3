"""`message` in a direct message: the app's Messages tab (the agent messaging experience, Slack's
default for new apps since 30 June 2026).

Every message a person writes in the Messages tab is the root of its own thread and is answered in
that thread, with the "denkt na…" status; a reply in the thread continues that conversation. The
greeting and suggested prompts come when the tab is opened (events/app_home_opened.py). The channel
the person is looking at (app_context_changed, events/app_context_changed.py) narrows what is
searched, within what bot/access/policy.py allows. Workspaces still on the assistant view: see
events/assistant_thread.py.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answer_flow.conversation import is_question_event, plain_text, thread_history
from bot.slack.answer_flow.durable import DurableQuestions, Lease
from bot.slack.answer_flow.replying import Question, Replier
from bot.slack.answer_flow.viewing import ViewedChannels

log = logging.getLogger(__name__)


def register(app: App, *, replier: Replier, viewing: ViewedChannels, questions: DurableQuestions | None) -> None:
    @app.event("message")
    def answer_direct_message(event: dict[str, Any], body: dict[str, Any], client: WebClient,
                              context: BoltContext) -> None:
        # Edits, deletions, joins, bot posts and channel messages are acknowledged, not answered.
        if event.get("channel_type") != "im" or not is_question_event(event):
            return
        if questions is not None and questions.holds(body.get("event_id")):
            questions.answer_next(context.get("arrival_ticket"))  # this one, or one left by another replica
        else:
            answer_dm(replier, viewing, event, client, context, context.get("arrival_ticket"))


def answer_dm(replier: Replier, viewing: ViewedChannels, event: dict[str, Any], client: WebClient,
              context: BoltContext, ticket: int | None, *, lease: Lease | None = None) -> None:
    """Answers in the message's thread: the thread it is in, or the one it starts."""
    channel, ts, user = event["channel"], event["ts"], event["user"]
    thread_ts = event.get("thread_ts") or ts
    text = plain_text(event.get("text", ""), bot_user_id=context.bot_user_id)
    question = Question(text=text, user=user, channel=channel, team=event.get("team") or context.team_id,
                        message_ts=ts, thread_ts=thread_ts, is_dm=True, assistant_thread=True, ticket=ticket,
                        viewing=viewing.of(user), lease=lease)

    def history() -> list:
        if not event.get("thread_ts"):
            return []  # a new thread: nothing said before
        return thread_history(client, channel=channel, thread_ts=thread_ts, before_ts=ts,
                              bot_user_id=context.bot_user_id, asker=user)

    replier.reply(question, client, history=history)
