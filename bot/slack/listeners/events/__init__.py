"""Event listeners (Events API), one module per event."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.events import (app_context_changed, app_home_opened, app_mention, assistant_thread,
                                        message_channels, message_im)
from bot.slack.parts import SlackParts
from bot.slack.ui.home import HomeTab


def register(app: App, parts: SlackParts, home: HomeTab) -> None:
    app_mention.register(app, parts)
    # Bolt runs the first `message` listener that matches: the channel-thread follow-ups come before
    # the direct messages' catch-all.
    message_channels.register(app, parts)
    assistant_thread.register(app, parts)
    message_im.register(app, parts)
    app_home_opened.register(app, parts, home)
    app_context_changed.register(app, parts)
