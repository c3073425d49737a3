"""A filled template as Markdown (CLI) and as Slack Block Kit blocks (plain dicts, no Slack library).

Both walk the template's schema in its own order, so a new template renders without code: a string
becomes a labelled section, a list of strings a bullet list, a list of objects numbered items headed
by their first text. Schema titles are the labels. The extension keyword ``x-weergave`` refines it:
``"kop"`` makes the value the heading of the whole result, ``"tekst"`` shows it as plain paragraphs.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from bot.answering.answer import Source
from bot.answering.template_filling import TemplateResult

SECTION_LIMIT = 3000  # Slack: characters in one section's text
HEADER_LIMIT = 150  # Slack: characters in a header block
BLOCK_LIMIT = 50  # Slack: blocks in one message


# --- the walk shared by both formats ---------------------------------------------------------------

def heading(result: TemplateResult) -> str:
    """The value marked ``x-weergave = "kop"``, else the template's title."""
    for key, schema in _properties(result.template.schema):
        value = result.output.get(key)
        if schema.get("x-weergave") == "kop" and isinstance(value, str) and value.strip():
            return value.strip()
    return result.template.title


def input_summary(result: TemplateResult) -> list[tuple[str, str]]:
    """(label, value) of the short fields filled in; long texts (textarea) are left out."""
    return [(spec.label, str(result.values[spec.name])) for spec in result.template.fields
            if spec.type != "textarea" and result.values.get(spec.name) not in (None, "")]


def _properties(schema: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for key, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            yield key, sub


def _label(key: str, schema: Mapping[str, Any]) -> str:
    return str(schema.get("title") or key.replace("_", " ").capitalize())


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _item_parts(item: Mapping[str, Any], schema: Mapping[str, Any]) -> tuple[str, list[str], list[tuple[str, str]]]:
    """An object in a list: its heading (first text), plain paragraphs, and labelled lines."""
    title, paragraphs, lines = "", [], []
    for key, sub in _properties(schema):
        value = item.get(key)
        if isinstance(value, list):
            text = "; ".join(_text(v) for v in value if _text(v))
        else:
            text = _text(value)
        if not text:
            continue
        if not title and sub.get("type") == "string":
            title = text
        elif sub.get("x-weergave") == "tekst":
            paragraphs.append(text)
        else:
            lines.append((_label(key, sub), text))
    return title, paragraphs, lines


def _source_text(source: Source) -> str:
    where = source.url or (f"{source.collection}/{source.path}" if source.collection else source.path)
    heading = " > ".join(h for h in source.heading.split(" > ") if h.strip() and h != source.title)
    return f"{source.title} — {heading} ({where})" if heading else f"{source.title} ({where})"


def _footer(result: TemplateResult) -> str:
    seconds = result.timings.get("total_s")
    took = f" · {seconds:.1f} s".replace(".", ",") if seconds is not None else ""
    return f"Gemaakt met sjabloon {result.template.name}{took}"


# --- Markdown ------------------------------------------------------------------------------------------

def to_markdown(result: TemplateResult) -> str:
    """The result as a Markdown document."""
    parts = [f"# {heading(result)}"]
    summary = input_summary(result)
    if summary:
        parts.append(" · ".join(f"**{label}:** {value}" for label, value in summary))
    for key, schema in _properties(result.template.schema):
        if schema.get("x-weergave") == "kop" or key not in result.output:
            continue
        parts.extend(_markdown_value(_label(key, schema), result.output[key], schema))
    if result.sources:
        parts.append("## Bronnen\n\n" + "\n".join(f"- {_source_text(s)}" for s in result.sources))
    parts.extend(f"> Let op: {warning}" for warning in result.warnings)
    parts.append(f"_{_footer(result)}_")
    return "\n\n".join(parts) + "\n"


def _markdown_value(label: str, value: Any, schema: Mapping[str, Any]) -> list[str]:
    plain = schema.get("x-weergave") == "tekst"
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        if items.get("type") == "object":
            return [f"## {label}"] + [_markdown_item(n, item, items) for n, item in enumerate(value, 1)]
        texts = [_text(v) for v in value if _text(v)]
        if plain:
            return texts
        return [f"## {label}\n\n" + ("\n".join(f"- {t}" for t in texts) if texts else "_Geen._")]
    if isinstance(value, Mapping):
        lines = [f"- **{_label(k, s)}:** {_text(value.get(k))}" for k, s in _properties(schema) if k in value]
        return [f"## {label}\n\n" + "\n".join(lines)]
    return [_text(value)] if plain else [f"## {label}\n\n{_text(value)}"]


def _markdown_item(number: int, item: Any, schema: Mapping[str, Any]) -> str:
    if not isinstance(item, Mapping):
        return f"{number}. {_text(item)}"
    title, paragraphs, lines = _item_parts(item, schema)
    parts = [f"### {number}. {title}".rstrip(), *paragraphs]
    if lines:
        parts.append("\n".join(f"- **{label}:** {text}" for label, text in lines))
    return "\n\n".join(parts)


# --- Slack Block Kit -----------------------------------------------------------------------------------

def to_blocks(result: TemplateResult, *, intro: str = "") -> list[dict]:
    """The result as Block Kit blocks for chat.postMessage / chat.update (at most 50 blocks);
    `intro` (mrkdwn, e.g. who asked for it) comes first, as context."""
    blocks: list[dict] = [_context(intro)] if intro else []
    blocks.append({"type": "header", "text": {"type": "plain_text", "emoji": True,
                                              "text": _cut(heading(result), HEADER_LIMIT)}})
    summary = input_summary(result)
    if summary:
        blocks.append(_context(" · ".join(f"*{escape(label)}:* {escape(value)}" for label, value in summary)))
    for key, schema in _properties(result.template.schema):
        if schema.get("x-weergave") == "kop" or key not in result.output:
            continue
        blocks.extend(_value_blocks(_label(key, schema), result.output[key], schema))
    tail = []
    if result.sources:
        tail.append(_context("*Bronnen:* " + "; ".join(escape(_source_text(s)) for s in result.sources)))
    tail.extend(_context(f":warning: {escape(w)}") for w in result.warnings)
    tail.append(_context(escape(_footer(result))))
    if len(blocks) + len(tail) > BLOCK_LIMIT:
        blocks = blocks[: BLOCK_LIMIT - len(tail) - 1] + [_context("_(ingekort: te lang voor één Slack-bericht)_")]
    return blocks + tail


def fallback_text(result: TemplateResult) -> str:
    """The message's plain text, shown in notifications and where blocks cannot be shown."""
    title = heading(result)
    return title if title == result.template.title else f"{result.template.title}: {title}"


def _value_blocks(label: str, value: Any, schema: Mapping[str, Any]) -> list[dict]:
    plain = schema.get("x-weergave") == "tekst"
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        if items.get("type") == "object":
            blocks = [{"type": "divider"}, _section(f"*{escape(label)}*")]
            for number, item in enumerate(value, 1):
                blocks.append(_section(_mrkdwn_item(number, item, items)))
            return blocks
        texts = [escape(_text(v)) for v in value if _text(v)]
        if plain:
            return [_section(t) for t in texts]
        return [_section(f"*{escape(label)}*\n" + ("\n".join(f"• {t}" for t in texts) if texts else "_Geen._"))]
    if isinstance(value, Mapping):
        lines = [f"*{escape(_label(k, s))}:* {escape(_text(value.get(k)))}" for k, s in _properties(schema) if k in value]
        return [_section(f"*{escape(label)}*\n" + "\n".join(lines))]
    text = escape(_text(value))
    return [_section(text if plain else f"*{escape(label)}*\n{text}")]


def _mrkdwn_item(number: int, item: Any, schema: Mapping[str, Any]) -> str:
    if not isinstance(item, Mapping):
        return f"{number}. {escape(_text(item))}"
    title, paragraphs, lines = _item_parts(item, schema)
    parts = [f"*{number}. {escape(title)}*", *(escape(p) for p in paragraphs)]
    parts.extend(f"*{escape(label)}:* {escape(text)}" for label, text in lines)
    return "\n".join(parts)


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text or " ", SECTION_LIMIT)}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, SECTION_LIMIT)}]}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Slack mrkdwn control characters as entities, so user and model text cannot form links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
