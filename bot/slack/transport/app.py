"""The Bolt app: a Web API client pointed at `settings.slack.api_url`, retries for rate limits and
network errors, listener threads in two lanes; the middleware that keeps questions in arrival order,
and the catch-all that acknowledges every event no listener takes (bot/slack/composition.py
installs both around the listeners).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Callable

from slack_bolt import App, BoltContext
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler,
                                                   ServerErrorRetryHandler)

from bot.settings import Settings
from bot.slack.answer_flow.conversation import is_question_event, plain_text
from bot.slack.answer_flow.delivery import THINKING_TEXT
from bot.slack.listeners.commands.vraag import COMMAND as VRAAG_COMMAND
from bot.slack.listeners.events.message_channels import is_channel_thread_reply
from bot.slack.listeners.shortcuts.ask_about_message import ASK_SHORTCUT
from bot.slack.transport.arrivals import ListenerPool, SeenEvents

if TYPE_CHECKING:
    from bot.slack.answer_flow.durable import DurableQuestions

log = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
# Bolt's listener threads, in two lanes (bot.slack.transport.arrivals.ListenerPool). An answer holds its thread
# until the model has written it (~150 KiB of memory per waiting answer, bench/slack_load.py);
# beyond ANSWER_THREADS answers wait in line without a thread, and acknowledging commands, clicks
# and forms never waits for an answer.
QUICK_THREADS = 16
ANSWER_THREADS = 128
QUESTION_COMMANDS = {VRAAG_COMMAND}


def api_url(settings: Settings) -> str:
    url = settings.slack.api_url or SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def build_client(settings: Settings, *, timeout_s: int = 30) -> WebClient:
    """The Web API client: rate limits wait for Retry-After, network and 5xx errors are retried."""
    return WebClient(
        token=settings.slack.bot_token or None,
        base_url=api_url(settings),
        timeout=timeout_s,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=3),
                        RateLimitErrorRetryHandler(max_retry_count=5),
                        ServerErrorRetryHandler(max_retry_count=2)],
    )


def build_app(settings: Settings, *, client: WebClient | None = None, quick_threads: int = QUICK_THREADS,
              answer_threads: int = ANSWER_THREADS) -> App:
    """A Bolt app for this workspace; calls auth.test once, so a wrong token fails here."""
    return App(
        client=client or build_client(settings),
        signing_secret=settings.slack.signing_secret,  # "" (Socket Mode): Bolt must not read the env itself
        logger=logging.getLogger("bot.slack.bolt"),
        listener_executor=ListenerPool(quick_threads=quick_threads, answer_threads=answer_threads),
    )


def install_transport(app: App, pool: ListenerPool, seen: SeenEvents,
                      questions: "DurableQuestions | None" = None) -> None:
    """Before the listeners: the middleware that drops retried events (with `questions`, first
    offering every question to the durable queue), gives questions their arrival ticket and lane,
    and the handler of errors the listeners did not catch."""
    app.middleware(first_delivery_in_order(pool, seen, questions))
    app.error(_log_error)


def register_catch_all(app: App) -> None:
    """After every listener: every event no listener took is acknowledged."""
    app.event(re.compile(".*"))(acknowledge_unhandled_event)


def is_question_request(body: dict[str, Any], bot_user_id: str | None = None) -> bool:
    """An @mention, a direct message, a `/vraag` with text or the "vraag hierover" shortcut:
    something that will ask the model."""
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        is_dm = event.get("type") == "message" and event.get("channel_type") == "im"
        follow_up = event.get("type") == "message" and is_channel_thread_reply(event)  # may be one
        return (event.get("type") == "app_mention" or is_dm or follow_up) and is_question_event(event)
    if body.get("type") == "message_action":
        return body.get("callback_id") == ASK_SHORTCUT
    return (body.get("command") in QUESTION_COMMANDS
            and bool(plain_text(str(body.get("text", "")), bot_user_id=bot_user_id)))


def first_delivery_in_order(pool: ListenerPool, seen: SeenEvents, questions: "DurableQuestions | None" = None
                            ) -> Callable[..., BoltResponse | None]:
    """Global middleware: a retried event is acknowledged and dropped; a question gets its ticket
    and goes to the answers' lane (which gives the ticket back when its listener ends). A `/vraag`
    question and the shortcut are acknowledged here, so that their acknowledgement never waits for a
    thread in that lane.

    With `questions`, every question is written to the durable queue first: Bolt acknowledges only
    after the middleware (a Socket Mode envelope, or the HTTP 200), so nothing acknowledged is lost;
    one the queue knew already (a retry, here or at another replica) is acknowledged and dropped."""

    def middleware(body: dict[str, Any], context: BoltContext, next: Callable[[], None],
                   ack: Callable[..., BoltResponse]) -> BoltResponse | None:
        pool.route(None)
        event_id = body.get("event_id")
        if event_id and not seen.first_time(str(event_id)):
            log.info("event %s delivered again; it is already being answered", event_id)
            return ack()
        if questions is not None and not questions.offer(body, context.bot_user_id):
            log.info("%s is in the question queue already; acknowledged and dropped",
                     event_id or body.get("trigger_id"))
            return ack()
        if is_question_request(body, context.bot_user_id):
            ticket = context["arrival_ticket"] = pool.arrivals.claim()
            if body.get("command"):
                ack(text=THINKING_TEXT, response_type="ephemeral")
            elif body.get("type") == "message_action":
                ack()
            pool.route(ticket)
        next()
        return None

    return middleware


def acknowledge_unhandled_event(event: dict[str, Any]) -> None:
    """Every event is acknowledged, handled or not. Bolt answers an event no listener takes with a
    404, which its Socket Mode adapter never acknowledges (and HTTP mode reports as failed), so
    Slack would deliver it again and again; this listener, registered last, takes the rest."""
    log.debug("event %s acknowledged; nothing to do for it", event.get("type"))


def _log_error(error: Exception, body: dict[str, Any]) -> None:
    """Listener errors the listeners did not catch themselves: logged in full, never shown."""
    log.error("unhandled error in a Slack listener (%s)", body.get("type") or body.get("command"),
              exc_info=error)
