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
from bot.slack.answer_flow.replying import Question, Replier, tell_privately
from bot.slack.features.sharing import with_thread_share

log = logging.getLogger(__name__)

ASK_SHORTCUT = "vraag_over_bericht"
NO_TEXT = ("Dit bericht heeft geen tekst waar ik een vraag van kan maken (alleen een bestand of afbeelding?). "
           "Stel je vraag gerust zelf met `/vraag`.")


def register(app: App, *, replier: Replier) -> None:
    @app.message_shortcut(ASK_SHORTCUT)
    def ask_about_message(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond,
                          context: BoltContext) -> None:
        ack()
        message = shortcut.get("message") or {}
        channel = shortcut["channel"]["id"]
        text = plain_text(message_text(message), bot_user_id=context.bot_user_id)
        if not text:
            tell_privately(respond, NO_TEXT)
            return
        tell_privately(respond, THINKING_TEXT)
        question = Question(text=text, user=shortcut["user"]["id"], channel=channel,
                            team=(shortcut.get("team") or {}).get("id") or context.team_id, is_dm=False)
        thread_ts = message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts")
        replier.reply(question, client, respond=with_thread_share(respond, channel, str(thread_ts)))
