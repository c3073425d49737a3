"""Direct messages and the app's assistant container: every message from a person is answered.

Threads in the bot's DM (Slack's assistant container) go through Bolt's `Assistant` middleware:
a new thread gets a greeting and suggested prompts, a message gets the "denkt na…" status while
it is answered in its thread. A top-level DM is answered at the top level.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.conversation import dm_history, is_question_event, plain_text, thread_history
from bot.slack.parts import SlackParts
from bot.slack.replying import Question

log = logging.getLogger(__name__)

GREETING = ("Hoi! Ik ben Vraagbaak. Ik beantwoord vragen uit onze eigen documenten: HR, IT, "
            "veiligheid en facilitair. Waarmee kan ik je helpen?")
SUGGESTED_PROMPTS = [
    {"title": "Verlof aanvragen", "message": "Hoe vraag ik verlof aan?"},
    {"title": "Vakantiedagen", "message": "Hoeveel vakantiedagen heb ik per jaar?"},
    {"title": "Ziek melden", "message": "Hoe meld ik me ziek?"},
    {"title": "MFA instellen", "message": "Hoe stel ik tweestapsverificatie (MFA) in?"},
]
PROMPTS_TITLE = "Bijvoorbeeld:"


def register(app: App, parts: SlackParts) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def greet_new_thread(payload: dict[str, Any], client: WebClient) -> None:
        thread = payload["assistant_thread"]
        channel, thread_ts = thread["channel_id"], thread["thread_ts"]
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
            client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                         prompts=SUGGESTED_PROMPTS, title=PROMPTS_TITLE)
        except SlackApiError as exc:
            log.warning("could not greet a new assistant thread: %s", exc.response.get("error"))

    @assistant.user_message
    def answer_in_assistant_thread(payload: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ticket = context.get("arrival_ticket")
        try:
            if is_question_event(payload):
                answer_dm(parts, payload, client, context, ticket, in_thread=True)
        finally:
            parts.arrivals.release(ticket)

    app.use(assistant)

    @app.event("message")
    def answer_direct_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ticket = context.get("arrival_ticket")
        try:
            # Edits, deletions, joins, bot posts and channel messages are acknowledged, not answered.
            if event.get("channel_type") == "im" and is_question_event(event):
                answer_dm(parts, event, client, context, ticket, in_thread=bool(event.get("thread_ts")))
        finally:
            parts.arrivals.release(ticket)


def answer_dm(parts: SlackParts, event: dict[str, Any], client: WebClient, context: BoltContext,
              ticket: int | None, *, in_thread: bool) -> None:
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") if in_thread else None
    text = plain_text(event.get("text", ""), bot_user_id=context.bot_user_id)
    question = Question(text=text, user=event["user"], channel=channel,
                        team=event.get("team") or context.team_id, message_ts=ts, thread_ts=thread_ts,
                        is_dm=True, assistant_thread=in_thread, ticket=ticket)

    def history() -> list:
        if thread_ts:
            return thread_history(client, channel=channel, thread_ts=thread_ts, before_ts=ts,
                                  bot_user_id=context.bot_user_id, asker=question.user)
        return dm_history(client, channel=channel, before_ts=ts, bot_user_id=context.bot_user_id,
                          asker=question.user)

    parts.replier.reply(question, client, history=history)
