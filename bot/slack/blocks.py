"""Block Kit for answers: the text in sections, the sources in a context block, feedback buttons.

Slack's limits: a section's text is at most 3,000 characters and a message at most 50 blocks, so a
long answer becomes several sections and, when needed, several messages (the sources and buttons
go at the end of the last one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.answering.answer import Answer, Source
from bot.slack import escalation
from bot.slack.safe_text import neutralise

SECTION_LIMIT = 3000
HEADER_LIMIT = 150  # characters in a header block's text
BLOCKS_PER_MESSAGE = 50
CONTEXT_ELEMENTS = 10
FALLBACK_TEXT_LIMIT = 3000

ACTION_VOTE_UP = "feedback_up"
ACTION_VOTE_DOWN = "feedback_down"
ACTION_SHARE = "vraag_share"
FEEDBACK_BLOCK_ID = "vraagbaak_feedback"

Block = dict[str, Any]

_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BULLET = re.compile(r"^(\s*)[*+-]\s+", re.MULTILINE)


def escape(text: str) -> str:
    """Slack's mrkdwn reserves &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """The Markdown a model writes, as Slack mrkdwn (bold, headings, links, bullets)."""
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        links.append(f"<{match.group(2)}|{escape(match.group(1))}>")
        return f"\x00{len(links) - 1}\x00"

    text = escape(_LINK.sub(keep_link, markdown))
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _HEADING.sub(lambda m: f"*{m.group(1)}*", text)
    text = _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], text)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between paragraphs, else lines, else words."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, 0, limit + 1)
            if cut > limit // 4:
                pieces.append(rest[:cut].rstrip())
                rest = rest[cut + len(separator):].lstrip()
                break
        else:  # one very long word
            pieces.append(rest[:limit])
            rest = rest[limit:]
    return pieces + ([rest] if rest else [])


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def text_sections(markdown: str, limit: int = SECTION_LIMIT, *, links: Sequence[str] = ()) -> list[Block]:
    return [section(piece) for piece in split_text(neutralise(to_mrkdwn(markdown), links=links), limit)]


def answer_links(sources: Sequence[Source]) -> list[str]:
    """The links an answer may keep clickable: its sources' own, and those written in the cited passages."""
    return [link for s in sources for link in ([s.url] if s.url else []) + list(s.links or ())]


def source_label(source: Source) -> str:
    """Title with a link when the document has a URL, else title and path."""
    title = escape(source.title or source.path)
    if source.heading and source.heading != source.title:
        title += f" › {escape(source.heading)}"
    if source.url:
        return neutralise(f"<{source.url}|{title}>", links=[source.url])
    return neutralise(f"{title} (`{escape(source.path)}`)" if source.path else title)


def sources_block(sources: Sequence[Source]) -> Block | None:
    """A context block listing the sources, numbered as the answer cites them ([1], [2], …);
    Slack allows ten elements, so beyond nine the rest are counted."""
    if not sources:
        return None
    shown = list(sources[: CONTEXT_ELEMENTS - 1])
    elements = [{"type": "mrkdwn", "text": f"[{n}] {source_label(s)}"[:2000]} for n, s in enumerate(shown, 1)]
    elements[0]["text"] = ":page_facing_up: *Bronnen:* " + elements[0]["text"]
    if len(sources) > len(shown):
        elements.append({"type": "mrkdwn", "text": f"en nog {len(sources) - len(shown)} andere"})
    return {"type": "context", "elements": elements}


def feedback_block(answer_id: str, *, share: bool = False) -> Block:
    """👍/👎 buttons (and "Deel in kanaal" for private answers); the value is the stored answer's id."""
    elements = [
        {"type": "button", "action_id": ACTION_VOTE_UP, "value": answer_id,
         "text": {"type": "plain_text", "text": "👍 Nuttig", "emoji": True}},
        {"type": "button", "action_id": ACTION_VOTE_DOWN, "value": answer_id,
         "text": {"type": "plain_text", "text": "👎 Niet nuttig", "emoji": True}},
    ]
    if share:
        elements.append({"type": "button", "action_id": ACTION_SHARE, "value": answer_id, "style": "primary",
                         "text": {"type": "plain_text", "text": "Deel in kanaal", "emoji": True}})
    return {"type": "actions", "block_id": FEEDBACK_BLOCK_ID, "elements": elements}


def question_block(question: str, *, shared_by: str | None = None) -> Block:
    text = f"*Vraag:* {neutralise(escape(question))}"
    if shared_by:
        text = f"<@{shared_by}> deelde een antwoord van Vraagbaak. {text}"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2000]}]}


def footer_blocks(answer: Answer, answer_id: str, *, share: bool = False) -> list[Block]:
    """What follows the answer's text: the sources and the buttons."""
    block = sources_block(answer.sources)
    feedback = feedback_block(answer_id, share=share)
    feedback["elements"] += escalation.buttons(answer, answer_id)  # "Vraag een collega" (bot/slack/escalation.py)
    return ([block] if block else []) + [feedback]


def split_messages(blocks: Sequence[Block], limit: int = BLOCKS_PER_MESSAGE) -> list[list[Block]]:
    """Consecutive groups of at most `limit` blocks (a message each)."""
    return [list(blocks[i:i + limit]) for i in range(0, len(blocks), limit)] or [[]]


def answer_messages(answer: Answer, answer_id: str, *, share: bool = False,
                    question: str | None = None, shared_by: str | None = None) -> list[list[Block]]:
    """The answer as one or more messages' blocks, each within Slack's limits."""
    blocks: list[Block] = [question_block(question, shared_by=shared_by)] if question else []
    blocks += text_sections(answer.text, links=answer_links(answer.sources)) or [section("_(geen antwoord)_")]
    blocks += footer_blocks(answer, answer_id, share=share)
    return split_messages(blocks)


def fallback_text(markdown: str, limit: int = FALLBACK_TEXT_LIMIT, *, links: Sequence[str] = ()) -> str:
    """The plain `text` of a message (mrkdwn): notifications and clients without Block Kit show it."""
    text = neutralise(to_mrkdwn(markdown.strip()), links=links) or "(geen antwoord)"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def blocks_text(blocks: Sequence[Block]) -> str:
    """The section texts of a message, joined (to read an earlier answer back from a thread)."""
    return "\n\n".join(b["text"]["text"] for b in blocks
                       if b.get("type") == "section" and isinstance(b.get("text"), dict))


def is_answer_message(message: dict[str, Any]) -> bool:
    """Whether a message from the thread is one of our answers (it carries the feedback buttons)."""
    return any(b.get("block_id") == FEEDBACK_BLOCK_ID for b in message.get("blocks") or [])
