"""What a replica that died left in a question's thread, read by the replica that takes the question
over (bot/slack/answer_flow/durable.py): whether the answer reached Slack already (then it is only
marked done), and the half-written answer that did (then it is closed with a short note that the
full answer follows below, before that answer is written).

Closed, not deleted and not filled in: someone may have been reading it, and a message that vanishes
or changes into something else under their eyes is more confusing than one that says what happened;
a half sentence left as it was ("Je hebt recht op 2…") could be read as the answer. Filling it in
instead would put the new answer where the old one began, but the dead replica's stream cannot be
continued by another process, and a finished answer may need several messages.

Only the messages between the question and the next message of a person in the thread are the
question's: a later question in the same thread may be being answered by a live replica.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.answer_flow.conversation import plain_text
from bot.slack.answer_flow.delivery import TEXTS
from bot.slack.ui.blocks import is_answer_message
from language.detection import detect_language

log = logging.getLogger(__name__)


class InterruptedAnswers:
    """Reads (and tidies) a question's thread; `bot_user_id` is asked when first needed."""

    def __init__(self, client: WebClient, bot_user_id: Callable[[], str | None]) -> None:
        self.client = client
        self.bot_user_id = bot_user_id

    def answered(self, event: dict[str, Any]) -> bool:
        """Whether one of our finished answers follows the question in its thread."""
        return any(is_answer_message(m) for m in self._ours_after(event))

    def close(self, event: dict[str, Any]) -> int:
        """Turns the first of our unfinished messages after the question into a note that the full
        answer follows and deletes the others (a queue place told, a second part): one note, however
        far the dead replica got. Returns how many there were."""
        note = TEXTS[detect_language(plain_text(str(event.get("text", ""))))]["interrupted"]
        unfinished = [m for m in self._ours_after(event) if not is_answer_message(m)]
        channel = event["channel"]
        for n, message in enumerate(unfinished):
            ts = message["ts"]
            if message.get("streaming") is not False:  # a stream the dead replica left open (or cannot tell)
                try:
                    self.client.chat_stopStream(channel=channel, ts=ts)
                except SlackApiError as exc:  # not (or no longer) streaming: then it can be edited
                    log.debug("stopping the interrupted stream %s: %s", ts, exc.response.get("error"))
            if n == 0:
                self.client.chat_update(channel=channel, ts=ts, text=note)  # no blocks: it is no answer
            else:
                self.client.chat_delete(channel=channel, ts=ts)
        return len(unfinished)

    def _ours_after(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Our messages in the thread after the question, before the next message of a person."""
        thread_ts = event.get("thread_ts") or event["ts"]
        replies = self.client.conversations_replies(channel=event["channel"], ts=thread_ts, limit=200)
        bot = self.bot_user_id()
        later = sorted((m for m in replies.get("messages") or [] if float(m.get("ts", 0)) > float(event["ts"])),
                       key=lambda m: float(m["ts"]))
        ours = []
        for message in later:
            if message.get("user") != bot and not message.get("bot_id"):
                break  # a person wrote: what follows belongs to another question
            if message.get("user") == bot:
                ours.append(message)
        return ours
