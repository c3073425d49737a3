"""View listeners: the submissions of our modals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.views import save_curated_answer, template_form, template_picker

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts


def register(app: App, parts: "SlackParts") -> None:
    template_form.register(app, templates=parts.templates, poster=parts.poster)
    template_picker.register(app, templates=parts.templates)
    save_curated_answer.register(app, curated=parts.curated, feedback=parts.feedback, rights=parts.rights)
