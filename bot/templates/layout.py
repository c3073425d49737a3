"""How a filled template is laid out, whatever the format: Markdown (markdown.py, for the CLI) and
Block Kit (bot/slack/ui/template_blocks.py) both follow this walk.

The walk follows the template's schema in its own order, so a new template renders without code: a
string becomes a labelled section, a list of strings a bullet list, a list of objects numbered items
headed by their first text. Schema titles are the labels. The extension keyword ``x-weergave``
refines it: ``"kop"`` makes the value the heading of the whole result, ``"tekst"`` shows it as plain
paragraphs.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from bot.answering.types import Source
from bot.templates.filling import TemplateResult


def heading(result: TemplateResult) -> str:
    """The value marked ``x-weergave = "kop"``, else the template's title."""
    for key, schema in properties(result.template.schema):
        value = result.output.get(key)
        if schema.get("x-weergave") == "kop" and isinstance(value, str) and value.strip():
            return value.strip()
    return result.template.title


def input_summary(result: TemplateResult) -> list[tuple[str, str]]:
    """(label, value) of the short fields filled in; long texts (textarea) are left out."""
    return [(spec.label, str(result.values[spec.name])) for spec in result.template.fields
            if spec.type != "textarea" and result.values.get(spec.name) not in (None, "")]


def properties(schema: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(key, sub-schema) of an object schema's properties, in the schema's order."""
    for key, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            yield key, sub


def label(key: str, schema: Mapping[str, Any]) -> str:
    """The schema's title, else the key made readable."""
    return str(schema.get("title") or key.replace("_", " ").capitalize())


def flat_text(value: Any) -> str:
    """A value as one line of text: runs of white space become one space."""
    return " ".join(str(value).split()) if value is not None else ""


def item_parts(item: Mapping[str, Any], schema: Mapping[str, Any]) -> tuple[str, list[str], list[tuple[str, str]]]:
    """An object in a list: its heading (first text), plain paragraphs, and labelled lines."""
    title, paragraphs, lines = "", [], []
    for key, sub in properties(schema):
        value = item.get(key)
        if isinstance(value, list):
            text = "; ".join(flat_text(v) for v in value if flat_text(v))
        else:
            text = flat_text(value)
        if not text:
            continue
        if not title and sub.get("type") == "string":
            title = text
        elif sub.get("x-weergave") == "tekst":
            paragraphs.append(text)
        else:
            lines.append((label(key, sub), text))
    return title, paragraphs, lines


def source_text(source: Source) -> str:
    """A source as "title — heading (where)"."""
    where = source.url or (f"{source.collection}/{source.path}" if source.collection else source.path)
    heading = " > ".join(h for h in source.heading.split(" > ") if h.strip() and h != source.title)
    return f"{source.title} — {heading} ({where})" if heading else f"{source.title} ({where})"


def footer(result: TemplateResult) -> str:
    """Which template made it, and how long it took."""
    seconds = result.timings.get("total_s")
    took = f" · {seconds:.1f} s".replace(".", ",") if seconds is not None else ""
    return f"Gemaakt met sjabloon {result.template.name}{took}"
