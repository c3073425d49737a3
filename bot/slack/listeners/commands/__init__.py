"""Slash-command listeners, one module per command (and the sub-commands added to /vraagbaak)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.commands import brainstorm, vraag, vraagbaak, vraagbaak_templates
from bot.slack.parts import SlackParts


def register(app: App, parts: SlackParts) -> None:
    vraag.register(app, parts)
    vraagbaak.register(app, parts)
    # After /vraagbaak's own sub-commands, so that `/vraagbaak help` lists the templates' last.
    vraagbaak_templates.register(app, parts)
    brainstorm.register(app, parts)
