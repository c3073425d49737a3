"""Opening a template's form: `/brainstorm [onderwerp]`, the global shortcut (a template picker),
and the `/vraagbaak templates` and `/vraagbaak template <naam>` sub-commands."""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import TemplateError
from bot.slack.parts import CommandCall, SlackParts, Subcommand
from bot.slack.ui.templates_modal import Origin, picker_modal, template_modal
from bot.templates.library import TemplateLibrary

log = logging.getLogger(__name__)

BRAINSTORM_COMMAND = "/brainstorm"
SHORTCUT = "vraagbaak_template"
NOT_OPENED = "Het formulier kon niet geopend worden. Probeer het nog eens."
NO_TEMPLATES = "Er zijn geen sjablonen beschikbaar. De beheerder kan `vraagbaak templates` bekijken."


def register(app: App, parts: SlackParts) -> None:
    parts.add_subcommand(Subcommand("templates", "templates", "de sjablonen (brainstorm, samenvatting, …)",
                                    lambda call: list_templates(parts, call)))
    parts.add_subcommand(Subcommand("template", "template <naam>", "een sjabloon invullen in een formulier",
                                    lambda call: open_named_template(parts, call)))

    @app.command(BRAINSTORM_COMMAND)
    def open_brainstorm(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        origin = Origin(user=command["user_id"], channel=command.get("channel_id", ""))
        open_form(parts.templates, client, command["trigger_id"], "brainstorm", origin,
                  respond=respond, prefill=str(command.get("text", "")).strip())

    @app.shortcut(SHORTCUT)
    def open_picker(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        library = parts.templates
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


def list_templates(parts: SlackParts, call: CommandCall) -> None:
    call.respond(text=templates_text(parts.templates, show_errors=parts.admins.is_admin(call.user, call.client)),
                 response_type="ephemeral")


def open_named_template(parts: SlackParts, call: CommandCall) -> None:
    if not call.args:
        list_templates(parts, call)
        return
    open_form(parts.templates, call.client, call.trigger_id, call.args[0].lower(),
              Origin(user=call.user, channel=call.channel), respond=call.respond)


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
