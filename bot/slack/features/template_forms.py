"""Opening a template's form (a modal) from Slack, and the list of templates as a Slack message."""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import TemplateError
from bot.slack.ui.templates_modal import Origin, template_modal
from bot.templates.library import TemplateLibrary

log = logging.getLogger(__name__)

NOT_OPENED = "Het formulier kon niet geopend worden. Probeer het nog eens."
NO_TEMPLATES = "Er zijn geen sjablonen beschikbaar. De beheerder kan `vraagbaak templates` bekijken."


def open_form(library: TemplateLibrary, client: WebClient, trigger_id: str, name: str, origin: Origin, *,
              respond: Callable[..., Any], prefill: str = "") -> None:
    """Opens the named template's form, or tells the user (privately) why not."""
    try:
        template = library.get(name)
    except TemplateError as exc:
        respond(text=str(exc), response_type="ephemeral")
        return
    try:
        client.views_open(trigger_id=trigger_id, view=template_modal(template, origin, prefill=prefill))
    except SlackApiError:
        log.exception("could not open the form of template %s", name)
        respond(text=NOT_OPENED, response_type="ephemeral")


def templates_text(library: TemplateLibrary, *, show_errors: bool = False) -> str:
    """The templates as a Slack list; admins also see the files that could not be loaded."""
    lines = ["*Sjablonen*"] if library.names() else [NO_TEMPLATES]
    lines += [f"• `{t.name}`: *{t.title}*, {t.description}" for t in library]
    if library.names():
        lines.append("Open er een met `/vraagbaak template <naam>`, of `/brainstorm` voor een brainstorm.")
    if show_errors and library.errors:
        lines.append("*Sjabloonbestanden met fouten (niet geladen):*")
        lines += [f"• `{error.path.name}` veld `{error.field}`: {error.reason}" for error in library.errors]
    return "\n".join(lines)
