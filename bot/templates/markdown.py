"""A filled template as a Markdown document (what `vraagbaak template …` prints), laid out as
layout.py says."""

from __future__ import annotations

from typing import Any, Mapping

from bot.templates import layout
from bot.templates.filling import TemplateResult


def to_markdown(result: TemplateResult) -> str:
    """The result as a Markdown document."""
    parts = [f"# {layout.heading(result)}"]
    summary = layout.input_summary(result)
    if summary:
        parts.append(" · ".join(f"**{label}:** {value}" for label, value in summary))
    for key, schema in layout.properties(result.template.schema):
        if schema.get("x-weergave") == "kop" or key not in result.output:
            continue
        parts.extend(_markdown_value(layout.label(key, schema), result.output[key], schema))
    if result.sources:
        parts.append("## Bronnen\n\n" + "\n".join(f"- {layout.source_text(s)}" for s in result.sources))
    parts.extend(f"> Let op: {warning}" for warning in result.warnings)
    parts.append(f"_{layout.footer(result)}_")
    return "\n\n".join(parts) + "\n"


def _markdown_value(label: str, value: Any, schema: Mapping[str, Any]) -> list[str]:
    plain = schema.get("x-weergave") == "tekst"
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        if items.get("type") == "object":
            return [f"## {label}"] + [_markdown_item(n, item, items) for n, item in enumerate(value, 1)]
        texts = [layout.flat_text(v) for v in value if layout.flat_text(v)]
        if plain:
            return texts
        return [f"## {label}\n\n" + ("\n".join(f"- {t}" for t in texts) if texts else "_Geen._")]
    if isinstance(value, Mapping):
        lines = [f"- **{layout.label(k, s)}:** {layout.flat_text(value.get(k))}"
                 for k, s in layout.properties(schema) if k in value]
        return [f"## {label}\n\n" + "\n".join(lines)]
    return [layout.flat_text(value)] if plain else [f"## {label}\n\n{layout.flat_text(value)}"]


def _markdown_item(number: int, item: Any, schema: Mapping[str, Any]) -> str:
    if not isinstance(item, Mapping):
        return f"{number}. {layout.flat_text(item)}"
    title, paragraphs, lines = layout.item_parts(item, schema)
    parts = [f"### {number}. {title}".rstrip(), *paragraphs]
    if lines:
        parts.append("\n".join(f"- **{label}:** {text}" for label, text in lines))
    return "\n\n".join(parts)
