"""Test material for templates: outputs that satisfy a schema, and template files to drop in a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from bot.answering.generation import GenerationRequest
from tests.generators import ScriptedGenerator


def instance_for(schema: dict[str, Any], word: str = "tekst") -> Any:
    """The smallest JSON value valid under the schema (types, required properties, min/max items)."""
    kind = schema.get("type")
    if kind == "object":
        return {key: instance_for(sub, key) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        count = max(schema.get("minItems", 0), 1 if schema.get("maxItems", 1) >= 1 else 0)
        return [instance_for(schema["items"], f"{word} {i + 1}") for i in range(count)]
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    text = f"{word} voorbeeld"
    return text[: schema.get("maxLength", len(text))]


def valid_reply(request: GenerationRequest) -> str:
    """What a well-behaved model writes under the request's schema."""
    return json.dumps(instance_for(request.json_schema), ensure_ascii=False)


class ScriptedModel(ScriptedGenerator):
    """A scripted generator that writes what the request's schema asks for unless told otherwise."""

    def __init__(self, *replies: str | Callable[[GenerationRequest], str], n_ctx: int = 4096) -> None:
        super().__init__(*(replies or (valid_reply,)), n_ctx=n_ctx)


MINIMAL_TEMPLATE = '''
title = "Weekstart"
description = "Een korte weekstart."

[[fields]]
name = "thema"
label = "Thema"
type = "text"
required = true

[prompt]
user = "Schrijf een weekstart over {thema}."

[output.schema]
type = "object"
required = ["punten"]
properties.punten = { type = "array", title = "Punten", minItems = 1, maxItems = 3, items = { type = "string", maxLength = 40 } }
'''  # noqa: E501 (a TOML inline table is one line)


def write_template(folder: Path, name: str, text: str = MINIMAL_TEMPLATE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path
