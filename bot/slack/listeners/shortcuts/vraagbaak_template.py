"""The global shortcut "Document uit sjabloon": a picker of the templates (or the form itself when there
is only one); the result goes to the person's DM, as a global shortcut has no channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.features.template_forms import NO_TEMPLATES
from bot.slack.ui.templates_modal import Origin, picker_modal, template_modal
from bot.templates.library import TemplateLibrary

log = logging.getLogger(__name__)

SHORTCUT = "vraagbaak_template"


def register(app: App, *, templates: TemplateLibrary) -> None:
    @app.shortcut(SHORTCUT)
    def open_picker(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        library = templates
        origin = Origin(user=shortcut["user"]["id"])  # a global shortcut has no channel: the result goes to the DM
        names = library.names()
        if len(names) == 1:
            view = template_modal(library.get(names[0]), origin)
        elif names:
            view = picker_modal(library, origin)
        else:
            client.chat_postMessage(channel=origin.user, text=NO_TEMPLATES)
            return
        try:
            client.views_open(trigger_id=shortcut["trigger_id"], view=view)
        except SlackApiError:
            log.exception("could not open the template picker")
