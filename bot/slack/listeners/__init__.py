"""Every Slack listener, one module per entry point, registered from the one list below.

Each module's `register(app, parts)` adds its Bolt listeners; `parts` (bot.slack.parts.SlackParts)
carries what they use. Bolt injects its own arguments by name; ours come in through `parts`.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from bot.slack.listeners.actions import ask_colleague as escalation
from bot.slack.listeners.actions import feedback
from bot.slack.listeners.commands import brainstorm as templates_command
from bot.slack.listeners.commands import vraag as vraag_command
from bot.slack.listeners.commands import vraagbaak as vraagbaak_command
from bot.slack.listeners.events import app_context_changed as app_context
from bot.slack.listeners.events import app_home_opened as app_home
from bot.slack.listeners.events import app_mention, message_im
from bot.slack.listeners.events import message_channels as thread_follow_up
from bot.slack.listeners.shortcuts import make_curated_answer as curated_shortcut
from bot.slack.listeners.shortcuts import summarise_thread as message_shortcuts
from bot.slack.listeners.views import template_form as templates_submission

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.slack.parts import SlackParts

# Order matters for /vraagbaak's sub-commands: the templates module adds its own after the built-in
# ones, so `/vraagbaak help` lists them last. And for `message` events: Bolt runs the first listener
# that matches, so the channel-thread follow-ups come before the direct messages' catch-all.
LISTENERS: tuple[ModuleType, ...] = (app_mention, thread_follow_up, message_im, app_home, app_context, vraag_command,
                                     vraagbaak_command, feedback, templates_command, templates_submission,
                                     message_shortcuts, escalation, curated_shortcut)


def register(app: "App", parts: "SlackParts") -> None:
    for module in LISTENERS:
        module.register(app, parts)
