"""`agent_session_stopped`: someone clicked the stop button of a thread's agent session (in the app's
Messages tab or in a channel thread it answers in). The answers being written in that thread stop at
once; the answer flow closes their messages with "Gestopt op je verzoek." and moves the session on
(bot/slack/answer_flow/sessions.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.answer_flow.replying import Replier

log = logging.getLogger(__name__)


def register(app: App, *, replier: Replier) -> None:
    @app.event("agent_session_stopped")
    def stop_answers(event: dict[str, Any], client: WebClient) -> None:
        channel, thread_ts = event.get("channel"), event.get("thread_ts")
        if not isinstance(channel, str) or not isinstance(thread_ts, str) or not channel or not thread_ts:
            log.warning("agent_session_stopped without a channel and thread; ignored")
            return
        replier.stop(client, channel=channel, thread_ts=thread_ts)
