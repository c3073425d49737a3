"""View listeners: the submissions of our modals."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features.curated_answers import CurationRights
from bot.slack.listeners.views import save_curated_answer, template_form, template_picker
from bot.slack.parts import SlackParts


def register(app: App, parts: SlackParts, rights: CurationRights) -> None:
    template_form.register(app, parts)
    template_picker.register(app, parts)
    save_curated_answer.register(app, parts, rights)
