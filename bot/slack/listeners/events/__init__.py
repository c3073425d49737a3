"""Event listeners (Events API), one module per event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.events import (agent_session_stopped, app_context_changed, app_home_opened, app_mention,
                                        assistant_thread, message_channels, message_im)

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts


def register(app: App, parts: "SlackParts") -> None:
    app_mention.register(app, replier=parts.replier, questions=parts.questions)
    # Bolt runs the first `message` listener that matches: the channel-thread follow-ups come before
    # the direct messages' catch-all.
    message_channels.register(app, replier=parts.replier, threads=parts.threads, questions=parts.questions)
    assistant_thread.register(app, replier=parts.replier, viewing=parts.viewing)
    message_im.register(app, replier=parts.replier, viewing=parts.viewing, questions=parts.questions)
    app_home_opened.register(app, greeted=parts.greeted, home=parts.home)
    app_context_changed.register(app, viewing=parts.viewing)
    agent_session_stopped.register(app, replier=parts.replier)
