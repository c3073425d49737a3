"""The assistant container of workspaces still on the assistant view, through Bolt's `Assistant`
middleware: `assistant_thread_started` (the greeting and suggested prompts in the new thread),
`assistant_thread_context_changed` (the channel beside the thread, which narrows what is searched
within what bot/access/policy.py allows) and the person's messages in the thread (answered there).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answer_flow.conversation import is_question_event
from bot.slack.answer_flow.replying import Replier
from bot.slack.answer_flow.viewing import ViewedChannels, viewed_channel
from bot.slack.features.greeting import GREETING, PROMPTS_TITLE, SUGGESTED_PROMPTS
from bot.slack.listeners.events.message_im import answer_dm

log = logging.getLogger(__name__)


def register(app: App, *, replier: Replier, viewing: ViewedChannels) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def greet_new_thread(payload: dict[str, Any], client: WebClient) -> None:
        thread = payload["assistant_thread"]
        channel, thread_ts = thread["channel_id"], thread["thread_ts"]
        remember_context(viewing, thread)
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
            client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                         prompts=SUGGESTED_PROMPTS, title=PROMPTS_TITLE)
        except SlackApiError as exc:
            log.warning("could not greet a new assistant thread: %s", exc.response.get("error"))

    @assistant.thread_context_changed
    def remember_what_is_beside_the_thread(payload: dict[str, Any]) -> None:
        remember_context(viewing, payload["assistant_thread"])

    @assistant.user_message
    def answer_in_assistant_thread(payload: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if is_question_event(payload):
            answer_dm(replier, viewing, payload, client, context, context.get("arrival_ticket"))

    app.use(assistant)


def remember_context(viewing: ViewedChannels, thread: dict[str, Any]) -> None:
    """The channel beside an assistant thread (its `context`), for the collections of its questions."""
    if thread.get("user_id"):
        viewing.remember(str(thread["user_id"]), viewed_channel(thread.get("context")))
