"""A Slack conversation as the answer engine sees it: plain question text and earlier `Turn`s.

Inside a thread, the thread is the conversation (conversations.replies); a message outside a thread
starts a new one (a mention, and every message in the app's Messages tab). Only the asker's own
messages and the bot's own answers become turns: what other people write in a channel thread is
their text, not the asker's, and must not steer (or instruct) the answer someone else gets.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.types import Turn
from bot.slack.ui.blocks import blocks_text, is_answer_message

log = logging.getLogger(__name__)

MAX_TURNS = 8
# Subtypes that are still a person writing; others (edits, joins, bot posts…) are not questions.
QUESTION_SUBTYPES = {None, "file_share", "thread_broadcast"}

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]+))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")


def plain_text(text: str, *, bot_user_id: str | None = None) -> str:
    """Slack's message markup as plain text; mentions of the bot itself disappear."""
    def mention(match: re.Match[str]) -> str:
        if bot_user_id and match.group(1) == bot_user_id:
            return ""
        return "@" + (match.group(2) or match.group(1))

    text = _USER_MENTION.sub(mention, text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def is_question_event(event: dict[str, Any]) -> bool:
    """A person wrote it (no bot, no edit/join/delete subtype) and it has text."""
    return (not event.get("bot_id") and event.get("subtype") in QUESTION_SUBTYPES
            and bool(event.get("user")) and bool(str(event.get("text", "")).strip()))


def _turn(message: dict[str, Any], bot_user_id: str | None, asker: str) -> Turn | None:
    if message.get("user") == bot_user_id or message.get("bot_id"):
        if not is_answer_message(message):
            return None  # our notices and greetings, and other bots, are not part of the dialogue
        text = blocks_text(message.get("blocks") or []) or str(message.get("text", ""))
        return Turn("assistant", text) if message.get("user") == bot_user_id else None
    if message.get("subtype") not in QUESTION_SUBTYPES or message.get("user") != asker:
        return None  # someone else's message is left out, whatever it says
    text = plain_text(str(message.get("text", "")), bot_user_id=bot_user_id)
    return Turn("user", text) if text else None


def _turns(messages: list[dict[str, Any]], before_ts: str, bot_user_id: str | None, asker: str) -> list[Turn]:
    earlier = sorted((m for m in messages if float(m.get("ts", 0)) < float(before_ts)),
                     key=lambda m: float(m["ts"]))
    turns = [t for t in (_turn(m, bot_user_id, asker) for m in earlier) if t is not None]
    return turns[-MAX_TURNS:]


def thread_history(client: WebClient, *, channel: str, thread_ts: str, before_ts: str,
                   bot_user_id: str | None, asker: str) -> list[Turn]:
    """The asker's earlier messages in the thread and the bot's answers, as turns; empty (and
    logged) when Slack will not say."""
    try:
        response = client.conversations_replies(channel=channel, ts=thread_ts, limit=100)
    except SlackApiError as exc:
        log.warning("conversations.replies failed (%s); answering without history",
                    exc.response.get("error"))
        return []
    return _turns(list(response.get("messages") or []), before_ts, bot_user_id, asker)



def message_text(message: dict[str, Any]) -> str:
    """The message's text, else that of its attachments (a forwarded or unfurled message)."""
    text = str(message.get("text") or "").strip()
    if text:
        return text
    return "\n".join(str(a.get("text") or a.get("fallback") or "") for a in message.get("attachments") or []).strip()
