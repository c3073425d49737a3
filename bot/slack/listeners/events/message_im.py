"""Direct messages: the app's Messages tab (the agent messaging experience, Slack's default for new
apps since 30 June 2026) and the assistant container of workspaces still on the assistant view.

Agent view: every message a person writes in the Messages tab is the root of its own thread and is
answered in that thread, with the "denkt na…" status; a reply in the thread continues that
conversation. The greeting and suggested prompts come when the tab is opened (listeners/app_home.py).
Assistant view: Bolt's `Assistant` middleware; a new thread gets the greeting and suggested prompts,
a message in it is answered there. In both, the channel the person is looking at (agent view:
app_context_changed, listeners/app_context.py; assistant view: the thread's context) narrows what is
searched, within what bot/access/policy/policy.py allows.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answer_flow.conversation import is_question_event, plain_text, thread_history
from bot.slack.parts import SlackParts
from bot.slack.answer_flow.replying import Question
from bot.slack.answer_flow.viewing import viewed_channel

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
        remember_context(parts, thread)
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
            client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                         prompts=SUGGESTED_PROMPTS, title=PROMPTS_TITLE)
        except SlackApiError as exc:
            log.warning("could not greet a new assistant thread: %s", exc.response.get("error"))

    @assistant.thread_context_changed
    def remember_what_is_beside_the_thread(payload: dict[str, Any]) -> None:
        remember_context(parts, payload["assistant_thread"])

    @assistant.user_message
    def answer_in_assistant_thread(payload: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ticket = context.get("arrival_ticket")
        try:
            if is_question_event(payload):
                answer_dm(parts, payload, client, context, ticket)
        finally:
            parts.arrivals.release(ticket)

    app.use(assistant)

    @app.event("message")
    def answer_direct_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ticket = context.get("arrival_ticket")
        try:
            # Edits, deletions, joins, bot posts and channel messages are acknowledged, not answered.
            if event.get("channel_type") == "im" and is_question_event(event):
                answer_dm(parts, event, client, context, ticket)
        finally:
            parts.arrivals.release(ticket)


def remember_context(parts: SlackParts, thread: dict[str, Any]) -> None:
    """The channel beside an assistant thread (its `context`), for the collections of its questions."""
    if thread.get("user_id"):
        parts.viewing.remember(str(thread["user_id"]), viewed_channel(thread.get("context")))


def answer_dm(parts: SlackParts, event: dict[str, Any], client: WebClient, context: BoltContext,
              ticket: int | None) -> None:
    """Answers in the message's thread: the thread it is in, or the one it starts."""
    channel, ts, user = event["channel"], event["ts"], event["user"]
    thread_ts = event.get("thread_ts") or ts
    text = plain_text(event.get("text", ""), bot_user_id=context.bot_user_id)
    question = Question(text=text, user=user, channel=channel, team=event.get("team") or context.team_id,
                        message_ts=ts, thread_ts=thread_ts, is_dm=True, assistant_thread=True, ticket=ticket,
                        viewing=parts.viewing.of(user))

    def history() -> list:
        if not event.get("thread_ts"):
            return []  # a new thread: nothing said before
        return thread_history(client, channel=channel, thread_ts=thread_ts, before_ts=ts,
                              bot_user_id=context.bot_user_id, asker=user)

    parts.replier.reply(question, client, history=history)
