"""`/vraagbaak templates` (the list) and `/vraagbaak template <naam>` (a template's form): sub-commands
added to /vraagbaak (commands/vraagbaak.py runs them)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features.admins import AdminCheck
from bot.slack.features.subcommands import CommandCall, Subcommand, Subcommands
from bot.slack.features.template_forms import open_form, templates_text
from bot.slack.ui.templates_modal import Origin
from bot.templates.library import TemplateLibrary


def register(app: App, *, subcommands: Subcommands, templates: TemplateLibrary, admins: AdminCheck) -> None:
    subcommands.add(Subcommand("templates", "templates", "de sjablonen (brainstorm, samenvatting, …)",
                               lambda call: list_templates(templates, admins, call)))
    subcommands.add(Subcommand("template", "template <naam>", "een sjabloon invullen in een formulier",
                               lambda call: open_named_template(templates, admins, call)))


def list_templates(templates: TemplateLibrary, admins: AdminCheck, call: CommandCall) -> None:
    call.respond(text=templates_text(templates, show_errors=admins.is_admin(call.user, call.client)),
                 response_type="ephemeral")


def open_named_template(templates: TemplateLibrary, admins: AdminCheck, call: CommandCall) -> None:
    if not call.args:
        list_templates(templates, admins, call)
        return
    open_form(templates, call.client, call.trigger_id, call.args[0].lower(),
              Origin(user=call.user, channel=call.channel), respond=call.respond)
