"""`/brainstorm [onderwerp]`: opens the brainstorm template's form, the topic filled in."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.features.template_forms import open_form
from bot.slack.ui.templates_modal import Origin
from bot.templates.library import TemplateLibrary

log = logging.getLogger(__name__)

BRAINSTORM_COMMAND = "/brainstorm"


def register(app: App, *, templates: TemplateLibrary) -> None:
    @app.command(BRAINSTORM_COMMAND)
    def open_brainstorm(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        origin = Origin(user=command["user_id"], channel=command.get("channel_id", ""))
        open_form(templates, client, command["trigger_id"], "brainstorm", origin,
                  respond=respond, prefill=str(command.get("text", "")).strip())
