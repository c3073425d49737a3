"""`/vraagbaak templates` (the list) and `/vraagbaak template <naam>` (a template's form): sub-commands
added to /vraagbaak (commands/vraagbaak.py runs them)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features.template_forms import open_form, templates_text
from bot.slack.parts import CommandCall, SlackParts, Subcommand
from bot.slack.ui.templates_modal import Origin


def register(app: App, parts: SlackParts) -> None:
    parts.add_subcommand(Subcommand("templates", "templates", "de sjablonen (brainstorm, samenvatting, …)",
                                    lambda call: list_templates(parts, call)))
    parts.add_subcommand(Subcommand("template", "template <naam>", "een sjabloon invullen in een formulier",
                                    lambda call: open_named_template(parts, call)))


def list_templates(parts: SlackParts, call: CommandCall) -> None:
    call.respond(text=templates_text(parts.templates, show_errors=parts.admins.is_admin(call.user, call.client)),
                 response_type="ephemeral")


def open_named_template(parts: SlackParts, call: CommandCall) -> None:
    if not call.args:
        list_templates(parts, call)
        return
    open_form(parts.templates, call.client, call.trigger_id, call.args[0].lower(),
              Origin(user=call.user, channel=call.channel), respond=call.respond)
