"""Shortcut listeners: the global shortcut and the message shortcuts (the ⋮ menu of a message)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features.curated_answers import CurationRights
from bot.slack.listeners.shortcuts import ask_about_message, make_curated_answer, summarise_thread, vraagbaak_template
from bot.slack.parts import SlackParts


def register(app: App, parts: SlackParts, rights: CurationRights) -> None:
    vraagbaak_template.register(app, parts)
    ask_about_message.register(app, parts)
    summarise_thread.register(app, parts)
    make_curated_answer.register(app, parts, rights)
