"""Follow-ups without a new @mention: in a channel thread where Vraagbaak answered someone, that
person's next reply (or a reply that starts with Vraagbaak's name) is answered in the thread, with
the thread as context, and the thread's agent session works again (bot/slack/answer_flow/sessions.py).
Other people's chatter in the thread is left alone, and never becomes part of anyone's conversation
(bot/slack/answer_flow/conversation.py keeps only the asker's and the bot's turns).

Slack sends these as `message` events (message.channels, message.groups, message.mpim). A reply
that @mentions the bot arrives twice, as `app_mention` and as `message`; the mention listener
answers it, this one leaves it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.answer_flow.conversation import is_question_event, plain_text, thread_history
from bot.slack.answer_flow.durable import DurableQuestions, Lease
from bot.slack.answer_flow.replying import Question, Replier
from bot.people.followed_threads import FollowedThreads
from language.questions import is_acknowledgement
from language.words import GREETINGS

log = logging.getLogger(__name__)

CHANNEL_TYPES = {"channel", "group", "mpim"}
BOT_NAME = "vraagbaak"
# "Vraagbaak, …", "Hoi Vraagbaak: …", "@Vraagbaak …" typed without picking the mention.
_ADDRESSED = re.compile(rf"^\W*(?:(?:{'|'.join(GREETINGS)})\s+)?@?{BOT_NAME}\b(?!\w)", re.IGNORECASE)
_LEADING_MENTION = re.compile(r"^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def is_channel_thread_reply(event: dict[str, Any]) -> bool:
    """A person's reply inside a thread of a channel, private channel or group DM."""
    return (event.get("channel_type") in CHANNEL_TYPES and bool(event.get("thread_ts"))
            and event.get("thread_ts") != event.get("ts") and is_question_event(event))


def register(app: App, *, replier: Replier, threads: FollowedThreads, questions: DurableQuestions | None) -> None:
    # Registered before the direct-message listener: Bolt runs the first listener that matches.
    @app.event("message", matchers=[is_channel_thread_reply])
    def answer_follow_up(event: dict[str, Any], body: dict[str, Any], client: WebClient,
                         context: BoltContext) -> None:
        # A ticket was taken for every thread reply (it may be a question); the answer lane gives it
        # back when this listener ends. The queue holds only follow-ups (see is_follow_up).
        if questions is not None and questions.holds(body.get("event_id")):
            questions.answer_next(context.get("arrival_ticket"))  # this one, or one left by another replica
        elif is_follow_up(threads, event, bot_user_id=context.bot_user_id):
            answer(replier, event, client, context, context.get("arrival_ticket"))
        else:
            log.debug("thread reply %s in %s left alone: not a follow-up for Vraagbaak", event.get("ts"),
                      event.get("channel"))


def answer(replier: Replier, event: dict[str, Any], client: WebClient, context: BoltContext,
           ticket: int | None, *, lease: Lease | None = None) -> None:
    channel, ts, thread_ts = event["channel"], event["ts"], event["thread_ts"]
    text = plain_text(event.get("text", ""), bot_user_id=context.bot_user_id)
    question = Question(text=without_address(text), user=event["user"], channel=channel,
                        team=event.get("team") or context.team_id, message_ts=ts, thread_ts=thread_ts,
                        is_dm=False, ticket=ticket, lease=lease)
    log.info("follow-up from %s in a thread of %s, answered without a mention", question.user, channel)

    def history() -> list:
        return thread_history(client, channel=channel, thread_ts=thread_ts, before_ts=ts,
                              bot_user_id=context.bot_user_id, asker=question.user)

    replier.reply(question, client, history=history)


def is_follow_up(threads: FollowedThreads, event: dict[str, Any], *, bot_user_id: str | None) -> bool:
    """Whether this thread reply is for Vraagbaak: by the person it answered there, or addressed to it."""
    text = str(event.get("text", ""))
    if not threads.enabled:
        return False
    if bot_user_id and re.search(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", text):
        return False  # an @mention: the app_mention event brings the same message, and is answered
    leading = _LEADING_MENTION.match(text)
    if leading and leading.group(1) != bot_user_id:
        return False  # "@Bob, weet jij…": for a colleague
    channel, thread_ts = event["channel"], event["thread_ts"]
    plain = plain_text(text, bot_user_id=bot_user_id)
    if _ADDRESSED.match(plain):
        return bool(re.search(r"\w", without_address(plain))) and threads.followed(channel, thread_ts)
    if is_acknowledgement(plain):  # no "Dat kan ik niet vinden" under "Bedankt!"
        return False
    return threads.answered(channel, thread_ts, str(event["user"]))


def without_address(text: str) -> str:
    """The question without "Vraagbaak," in front of it."""
    return _ADDRESSED.sub("", text, count=1).lstrip(" ,:;!-–—").strip()
