"""`view_submission` of a template's form: field errors go back into the modal (`response_action:
errors`); valid values are acknowledged at once and filled in the background."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.errors import TemplateError
from bot.slack.features.templates_posting import TemplateJob, TemplatePoster
from bot.slack.ui.templates_modal import FORM_CALLBACK, Origin, notice_modal, submitted_values
from bot.templates.library import TemplateLibrary
from bot.templates.template import TemplateInputError

log = logging.getLogger(__name__)


def register(app: App, *, templates: TemplateLibrary, poster: TemplatePoster) -> None:
    @app.view(FORM_CALLBACK)
    def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        origin = Origin.from_view(view)
        user = origin.user or body["user"]["id"]
        try:
            template = templates.get(origin.template)
        except TemplateError as exc:
            ack(response_action="update", view=notice_modal("Sjabloon", str(exc)))
            return
        try:
            values = template.check_values(submitted_values(view, template.fields))
        except TemplateInputError as exc:
            ack(response_action="errors", errors=exc.errors)
            return
        ack()
        poster.start(client, TemplateJob(template, values, user=user, channel=origin.channel))
