"""A filled template as Block Kit blocks (plain dicts), laid out as bot/templates/layout.py says; the
Markdown of the same walk is bot/templates/markdown.py."""

from __future__ import annotations

from typing import Any, Mapping

from bot.slack.ui.blocks import BLOCKS_PER_MESSAGE, HEADER_LIMIT, SECTION_LIMIT, Block, answer_links, escape, section
from bot.slack.ui.safe_text import neutralise, neutralise_blocks
from bot.templates import layout
from bot.templates.filling import TemplateResult


def to_blocks(result: TemplateResult, *, intro: str = "") -> list[Block]:
    """The result as Block Kit blocks for chat.postMessage / chat.update (at most 50 blocks);
    `intro` (mrkdwn, e.g. who asked for it) comes first, as context."""
    blocks: list[Block] = [_context(intro)] if intro else []
    blocks.append({"type": "header", "text": {"type": "plain_text", "emoji": True,
                                              "text": _cut(layout.heading(result), HEADER_LIMIT)}})
    summary = layout.input_summary(result)
    if summary:
        blocks.append(_context(" · ".join(f"*{escape(label)}:* {escape(value)}" for label, value in summary)))
    for key, schema in layout.properties(result.template.schema):
        if schema.get("x-weergave") == "kop" or key not in result.output:
            continue
        blocks.extend(_value_blocks(layout.label(key, schema), result.output[key], schema))
    tail = []
    if result.sources:
        tail.append(_context("*Bronnen:* " + "; ".join(escape(layout.source_text(s)) for s in result.sources)))
    tail.extend(_context(f":warning: {escape(w)}") for w in result.warnings)
    tail.append(_context(escape(layout.footer(result))))
    if len(blocks) + len(tail) > BLOCKS_PER_MESSAGE:
        cut = _context("_(ingekort: te lang voor één Slack-bericht)_")
        blocks = blocks[: BLOCKS_PER_MESSAGE - len(tail) - 1] + [cut]
    # The model's text and the documents' names are neutralised; the intro (ours, naming the asker) is not.
    links = answer_links(result.sources)
    safe = neutralise_blocks((blocks[1:] if intro else blocks) + tail, links=links)
    return ([blocks[0]] if intro else []) + safe


def fallback_text(result: TemplateResult) -> str:
    """The message's plain text, shown in notifications and where blocks cannot be shown."""
    title = layout.heading(result)
    return neutralise(escape(title if title == result.template.title else f"{result.template.title}: {title}"))


def _value_blocks(label: str, value: Any, schema: Mapping[str, Any]) -> list[Block]:
    plain = schema.get("x-weergave") == "tekst"
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        if items.get("type") == "object":
            blocks = [{"type": "divider"}, _section(f"*{escape(label)}*")]
            for number, item in enumerate(value, 1):
                blocks.append(_section(_mrkdwn_item(number, item, items)))
            return blocks
        texts = [escape(layout.flat_text(v)) for v in value if layout.flat_text(v)]
        if plain:
            return [_section(t) for t in texts]
        return [_section(f"*{escape(label)}*\n" + ("\n".join(f"• {t}" for t in texts) if texts else "_Geen._"))]
    if isinstance(value, Mapping):
        lines = [f"*{escape(layout.label(k, s))}:* {escape(layout.flat_text(value.get(k)))}"
                 for k, s in layout.properties(schema) if k in value]
        return [_section(f"*{escape(label)}*\n" + "\n".join(lines))]
    text = escape(layout.flat_text(value))
    return [_section(text if plain else f"*{escape(label)}*\n{text}")]


def _mrkdwn_item(number: int, item: Any, schema: Mapping[str, Any]) -> str:
    if not isinstance(item, Mapping):
        return f"{number}. {escape(layout.flat_text(item))}"
    title, paragraphs, lines = layout.item_parts(item, schema)
    parts = [f"*{number}. {escape(title)}*", *(escape(p) for p in paragraphs)]
    parts.extend(f"*{escape(label)}:* {escape(text)}" for label, text in lines)
    return "\n".join(parts)


def _section(text: str) -> Block:
    return section(_cut(text or " ", SECTION_LIMIT))


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, SECTION_LIMIT)}]}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
