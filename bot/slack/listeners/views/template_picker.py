"""`view_submission` of the template picker (the global shortcut's modal): replaced by the chosen
template's form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.errors import TemplateError
from bot.slack.ui.templates_modal import PICKER_BLOCK, PICKER_CALLBACK, Origin, selected_value, template_modal
from bot.templates.library import TemplateLibrary

log = logging.getLogger(__name__)


def register(app: App, *, templates: TemplateLibrary) -> None:
    @app.view(PICKER_CALLBACK)
    def submit_picker(ack: Ack, view: dict[str, Any]) -> None:
        origin = Origin.from_view(view)
        element = (((view.get("state") or {}).get("values") or {}).get(PICKER_BLOCK) or {}).get("value") or {}
        name = selected_value(element) or ""
        try:
            template = templates.get(name)
        except TemplateError as exc:
            ack(response_action="errors", errors={PICKER_BLOCK: str(exc)})
            return
        ack(response_action="update", view=template_modal(template, origin))
