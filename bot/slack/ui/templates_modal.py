"""The templates' Slack modals as plain Block Kit dicts: a form per template (field types become
inputs), a picker for the global shortcut, and reading the submitted values back.

Template files and error messages are text, not Slack markup: every mrkdwn text of a modal goes
through bot.slack.ui.safe_text (no broadcast, no mention, no link); plain_text is shown as typed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from bot.slack.ui.safe_text import neutralise_blocks
from bot.templates.template import Template, TemplateField

FORM_CALLBACK = "vraagbaak_template_form"
PICKER_CALLBACK = "vraagbaak_template_pick"
PICKER_BLOCK = "sjabloon"
ACTION = "value"  # every input's action_id; the block_id is the field's name
TITLE_LIMIT = 24  # Slack: characters in a modal's title and buttons
LABEL_LIMIT = 2000
PLACEHOLDER_LIMIT = 150
OPTION_LIMIT = 75


@dataclass(frozen=True)
class Origin:
    """Where a form was opened: the result goes to `channel`, or to the user's DM when it is empty."""

    user: str
    channel: str = ""
    template: str = ""

    def to_metadata(self) -> str:
        return json.dumps({"user": self.user, "channel": self.channel, "template": self.template})

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> "Origin":
        try:
            data = json.loads(view.get("private_metadata") or "{}")
        except json.JSONDecodeError:
            data = {}
        return cls(user=str(data.get("user", "")), channel=str(data.get("channel", "")),
                   template=str(data.get("template", "")))


def template_modal(template: Template, origin: Origin, *, prefill: str = "") -> dict[str, Any]:
    """The form for one template; `prefill` goes into its first text field (e.g. `/brainstorm <onderwerp>`)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": template.description}}]
    first_text = next((f.name for f in template.fields if f.type in ("text", "textarea")), None)
    for spec in template.fields:
        blocks.append(_input_block(spec, prefill if spec.name == first_text else ""))
    origin = Origin(origin.user, origin.channel, template.name)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(template.title, TITLE_LIMIT),
        "submit": _plain("Maken", TITLE_LIMIT),
        "close": _plain("Annuleren", TITLE_LIMIT),
        "private_metadata": origin.to_metadata(),
        "blocks": neutralise_blocks(blocks),
    }


def picker_modal(templates: Iterable[Template], origin: Origin) -> dict[str, Any]:
    """For the global shortcut: choose a template; submitting it replaces this view by its form."""
    options = [_option(t.title, t.name, description=t.description) for t in templates]
    return {
        "type": "modal",
        "callback_id": PICKER_CALLBACK,
        "title": _plain("Vraagbaak-sjabloon", TITLE_LIMIT),
        "submit": _plain("Verder", TITLE_LIMIT),
        "close": _plain("Annuleren", TITLE_LIMIT),
        "private_metadata": origin.to_metadata(),
        "blocks": [{"type": "input", "block_id": PICKER_BLOCK, "label": _plain("Wat wil je maken?", LABEL_LIMIT),
                    "element": {"type": "static_select", "action_id": ACTION, "options": options,
                                "placeholder": _plain("Kies een sjabloon", PLACEHOLDER_LIMIT)}}],
    }


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal with only a message (e.g. the template no longer exists)."""
    return {"type": "modal", "title": _plain(title, TITLE_LIMIT), "close": _plain("Sluiten", TITLE_LIMIT),
            "blocks": neutralise_blocks([{"type": "section", "text": {"type": "mrkdwn", "text": text}}])}


def submitted_values(view: dict[str, Any], fields: Iterable[TemplateField]) -> dict[str, str | None]:
    """The raw submitted value of every field (None when left empty), by field name."""
    state = (view.get("state") or {}).get("values") or {}
    values: dict[str, str | None] = {}
    for spec in fields:
        element = (state.get(spec.name) or {}).get(ACTION) or {}
        values[spec.name] = selected_value(element)
    return values


def selected_value(element: dict[str, Any]) -> str | None:
    if element.get("type") == "static_select" or "selected_option" in element:
        option = element.get("selected_option") or {}
        return option.get("value")
    return element.get("value")


def _input_block(spec: TemplateField, prefill: str) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": spec.name, "label": _plain(spec.label, LABEL_LIMIT),
                             "optional": not spec.required, "element": _element(spec, prefill)}
    if spec.hint:
        block["hint"] = _plain(spec.hint, LABEL_LIMIT)
    return block


def _element(spec: TemplateField, prefill: str) -> dict[str, Any]:
    initial = prefill or ("" if spec.default is None else str(spec.default))
    if spec.type == "choice":
        element: dict[str, Any] = {"type": "static_select", "action_id": ACTION,
                                   "options": [_option(c, c) for c in spec.choices]}
        if initial in spec.choices:
            element["initial_option"] = _option(initial, initial)
    elif spec.type == "number":
        element = {"type": "number_input", "action_id": ACTION, "is_decimal_allowed": spec.decimal}
        for key, bound in (("min_value", spec.min), ("max_value", spec.max)):
            if bound is not None:
                element[key] = _number(bound)
        if initial:
            element["initial_value"] = initial
    else:
        element = {"type": "plain_text_input", "action_id": ACTION, "multiline": spec.type == "textarea"}
        if spec.max_length is not None:
            element["max_length"] = spec.max_length
        if initial:
            element["initial_value"] = initial[: spec.max_length] if spec.max_length else initial
    if spec.placeholder:
        element["placeholder"] = _plain(spec.placeholder, PLACEHOLDER_LIMIT)
    return element


def _option(text: str, value: str, *, description: str = "") -> dict[str, Any]:
    option: dict[str, Any] = {"text": _plain(text, OPTION_LIMIT), "value": value}
    if description:
        option["description"] = _plain(description, OPTION_LIMIT)
    return option


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
