"""Slash-command listeners, one module per command (and the sub-commands added to /vraagbaak)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.commands import brainstorm, vraag, vraagbaak, vraagbaak_templates

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts


def register(app: App, parts: "SlackParts") -> None:
    vraag.register(app, replier=parts.replier, questions=parts.questions)
    vraagbaak.register(app, subcommands=parts.subcommands, admins=parts.admins, status=parts.status,
                       reindex_jobs=parts.reindex_jobs, collections=parts.collections)
    # After /vraagbaak's own sub-commands, so that `/vraagbaak help` lists the templates' last.
    vraagbaak_templates.register(app, subcommands=parts.subcommands, templates=parts.templates, admins=parts.admins)
    brainstorm.register(app, templates=parts.templates)
