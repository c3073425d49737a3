"""`app_context_changed` (agent view): what the person is looking at while the app is open beside
it. The channel is remembered (in memory, bot/slack/answer_flow/viewing.py), so that a question in the Messages
tab searches that channel's collections, as far as the person's DM may (bot/access/policy.py decides)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.slack.answer_flow.viewing import ViewedChannels, viewed_channel

log = logging.getLogger(__name__)


def register(app: App, *, viewing: ViewedChannels) -> None:
    @app.event("app_context_changed")
    def remember_what_is_beside_the_app(event: dict[str, Any]) -> None:
        user = event.get("user")
        if not user:
            log.debug("app_context_changed without a user; nothing to remember")
            return
        channel = viewed_channel(event.get("context"))
        viewing.remember(str(user), channel)
        log.debug("%s now looks at %s", user, channel or "no channel")
