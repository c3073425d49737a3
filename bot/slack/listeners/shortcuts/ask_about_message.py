"""The message shortcut "Vraag Vraagbaak hierover" (the ⋮ menu of any message): the message becomes a
question, answered privately to whoever asked (through the shortcut's response URL), with the
channel's collections (bot/access/policy.py) and a "Deel in thread" button that posts the answer in
the message's thread (actions/share_in_thread.py).

A message without text gets a short Dutch explanation instead. A shortcut in a conversation between
people (a DM or group DM) searches as an unlisted channel would: never a restricted collection,
whoever asks.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answer_flow.conversation import message_text, plain_text
from bot.slack.answer_flow.delivery import THINKING_TEXT
from bot.slack.answer_flow.durable import DurableQuestions, Lease
from bot.slack.answer_flow.replying import Question, Replier, tell_privately
from bot.slack.features.sharing import with_thread_share

log = logging.getLogger(__name__)

ASK_SHORTCUT = "vraag_over_bericht"
NO_TEXT = ("Dit bericht heeft geen tekst waar ik een vraag van kan maken (alleen een bestand of afbeelding?). "
           "Stel je vraag gerust zelf met `/vraag`.")


def register(app: App, *, replier: Replier, questions: DurableQuestions | None) -> None:
    @app.message_shortcut(ASK_SHORTCUT)
    def ask_about_message(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond,
                          context: BoltContext) -> None:
        ack()
        if not is_question(shortcut, bot_user_id=context.bot_user_id):
            tell_privately(respond, NO_TEXT)
            return
        tell_privately(respond, THINKING_TEXT)
        if questions is not None and questions.holds(shortcut.get("trigger_id")):
            questions.answer_next(context.get("arrival_ticket"))  # this one, or one left by another replica
        else:
            answer(replier, shortcut, client, respond, context, context.get("arrival_ticket"))


def is_question(shortcut: dict[str, Any], *, bot_user_id: str | None) -> bool:
    """This shortcut, on a message with text."""
    return (shortcut.get("type") == "message_action" and shortcut.get("callback_id") == ASK_SHORTCUT
            and bool(plain_text(message_text(shortcut.get("message") or {}), bot_user_id=bot_user_id)))


def answer(replier: Replier, shortcut: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext,
           ticket: int | None, *, lease: Lease | None = None) -> None:
    """Answers privately through the shortcut's response_url (valid for 30 minutes, on any replica)."""
    message = shortcut.get("message") or {}
    channel = shortcut["channel"]["id"]
    text = plain_text(message_text(message), bot_user_id=context.bot_user_id)
    question = Question(text=text, user=shortcut["user"]["id"], channel=channel,
                        team=(shortcut.get("team") or {}).get("id") or context.team_id, is_dm=False, ticket=ticket,
                        lease=lease)
    thread_ts = message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts")
    replier.reply(question, client, respond=with_thread_share(respond, channel, str(thread_ts)))
