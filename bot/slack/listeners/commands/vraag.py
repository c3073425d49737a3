"""`/vraag <vraag>`: answered privately (ephemeral), with a "Deel in kanaal" button that posts the
answer publicly in the channel (actions/share_in_channel.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answer_flow.conversation import plain_text
from bot.slack.answer_flow.delivery import THINKING_TEXT
from bot.slack.answer_flow.durable import DurableQuestions, Lease
from bot.slack.answer_flow.replying import Question, Replier

log = logging.getLogger(__name__)

COMMAND = "/vraag"
USAGE = "Typ je vraag achter het commando, bijvoorbeeld: `/vraag Hoe vraag ik verlof aan?`"


def register(app: App, *, replier: Replier, questions: DurableQuestions | None) -> None:
    @app.command(COMMAND)
    def answer_privately(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond,
                         context: BoltContext) -> None:
        text = plain_text(command.get("text", ""), bot_user_id=context.bot_user_id)
        if not text:
            ack(text=USAGE, response_type="ephemeral")
            return
        ack(text=THINKING_TEXT, response_type="ephemeral")
        if questions is not None and questions.holds(command.get("trigger_id")):
            questions.answer_next(context.get("arrival_ticket"))  # this one, or one left by another replica
        else:
            answer(replier, command, client, respond, context, context.get("arrival_ticket"))


def is_question(command: dict[str, Any], *, bot_user_id: str | None) -> bool:
    """`/vraag` with a question after it."""
    return command.get("command") == COMMAND and bool(plain_text(str(command.get("text", "")),
                                                                 bot_user_id=bot_user_id))


def answer(replier: Replier, command: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext,
           ticket: int | None, *, lease: Lease | None = None) -> None:
    """Answers the command's question through its response_url (valid for 30 minutes, on any replica)."""
    text = plain_text(command.get("text", ""), bot_user_id=context.bot_user_id)
    question = Question(text=text, user=command["user_id"], channel=command["channel_id"],
                        team=command.get("team_id"), is_dm=command["channel_id"].startswith("D"), ticket=ticket,
                        lease=lease)
    replier.reply(question, client, respond=respond)
