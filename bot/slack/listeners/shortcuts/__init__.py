"""Shortcut listeners: the global shortcut and the message shortcuts (the ⋮ menu of a message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.shortcuts import ask_about_message, make_curated_answer, summarise_thread, vraagbaak_template

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts


def register(app: App, parts: "SlackParts") -> None:
    vraagbaak_template.register(app, templates=parts.templates)
    ask_about_message.register(app, replier=parts.replier, questions=parts.questions)
    summarise_thread.register(app, templates=parts.templates, filler=parts.filler, access=parts.access,
                              ai_notice=parts.ai_notice)
    make_curated_answer.register(app, curated=parts.curated, feedback=parts.feedback, rights=parts.rights)
