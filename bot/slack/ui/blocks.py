"""Block Kit for answers, in Slack's own idioms: the answer's Markdown in a `markdown` block, the
sources in a context block (linked where the source has a URL), feedback through Slack's
`feedback_buttons` in a `context_actions` block.

Slack's limits: a `markdown` block holds at most 12,000 characters, and so do all `markdown` blocks of
one message together; a message has at most 50 blocks. A longer answer continues in more messages
(the sources and buttons go at the end of the last one). Everything passes `safe_text.neutralise`:
no broadcast, no foreign mention, no link that no cited source has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ContextActionsBlock, FeedbackButtonObject, FeedbackButtonsElement, MarkdownBlock

from bot.answering.types import Answer, Source, copies_text
from bot.slack.features import escalation
from bot.slack.features.escalation import NO_ROUTES, EscalationRoutes
from bot.slack.ui import curated_mark
from bot.slack.ui.safe_text import links_in, neutralise

SECTION_LIMIT = 3000  # characters in a section's text (templates use sections)
# What one message carries of an answer: under Slack's 12,000 characters of markdown blocks per
# message, because Slack also refuses a message whose blocks hold ~13,000 characters in all
# (msg_blocks_too_long), sources and question included.
ANSWER_CHARS_PER_MESSAGE = 11000
HEADER_LIMIT = 150  # characters in a header block's text
BLOCKS_PER_MESSAGE = 50
CONTEXT_ELEMENTS = 10
LABEL_CHARS = 200  # of a title, heading or path in the sources (a context element holds 2,000)
LINKS_LISTED = 5
FALLBACK_TEXT_LIMIT = 3000

ACTION_FEEDBACK = "vraagbaak_feedback"  # the feedback_buttons element; its value says which and what
ACTION_VOTE_UP = "feedback_up"  # the 👍/👎 buttons of answers posted before the feedback_buttons
ACTION_VOTE_DOWN = "feedback_down"
ACTION_SHARE = "vraag_share"
FEEDBACK_BLOCK_ID = "vraagbaak_feedback"  # marks our answers in a thread (see is_answer_message)
SHARE_BLOCK_ID = "vraagbaak_share"
VOTES = ("up", "down")  # a feedback button's value is "<vote>:<answer id>"

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


def markdown_block(text: str) -> Block:
    """Standard Markdown, rendered by Slack (bold, lists, headings, quotes, links)."""
    return MarkdownBlock(text=text).to_dict()


def safe_markdown(markdown: str, *, links: Sequence[str] = ()) -> str:
    """Model or document Markdown as Slack may show it: only the `links` stay links."""
    return neutralise(markdown.strip(), links=links, markdown=True)


def answer_links(sources: Sequence[Source]) -> list[str]:
    """The links an answer may keep clickable: its sources' own, and those written in the cited passages."""
    return [link for s in sources for link in ([s.url, s.link] if s.url else []) + list(s.links or ())]


def source_label(source: Source, language: str = "nl") -> str:
    """Title (page, version and day) with a link when the document has a URL (to the page of a PDF),
    else title, page, version, day and path; the other paths of the same document after it."""
    title = escape(_cut(source.title or source.path, LABEL_CHARS))
    if source.heading and source.heading != source.title:
        title += f" › {escape(_cut(source.heading, LABEL_CHARS))}"
    for label in (source.page_label, source.edition(language)):
        if label:
            title += f", {escape(label)}"
    link = source.link
    if link:
        label = neutralise(f"<{link}|{title}>", links=[link])
    else:
        label = neutralise(f"{title} (`{escape(_cut(source.path, LABEL_CHARS))}`)" if source.path else title)
    named, more = source.named_copies()
    if named or more:
        label += neutralise(" — " + copies_text([f"`{escape(_cut(c, LABEL_CHARS))}`" for c in named], more, language))
    return label


def sources_block(sources: Sequence[Source], *, links: Sequence[tuple[str, str]] = (),
                  language: str = "nl") -> Block | None:
    """A context block listing the sources, numbered as the answer cites them ([1], [2], …), and the
    `links` (label, url) the answer may keep; Slack allows ten elements, so the rest are counted."""
    if not sources and not links:
        return None
    room = CONTEXT_ELEMENTS - (1 if links else 0)
    shown = list(sources[: room if len(sources) <= room else room - 1])
    elements = [{"type": "mrkdwn", "text": f"[{n}] {source_label(s, language)}"} for n, s in enumerate(shown, 1)]
    if elements:
        elements[0]["text"] = ":page_facing_up: *Bronnen:* " + elements[0]["text"]
    if len(sources) > len(shown):
        elements.append({"type": "mrkdwn", "text": f"en nog {len(sources) - len(shown)} andere"})
    if links:
        listed = ", ".join(neutralise(f"<{url}|{escape(_cut(label, LABEL_CHARS))}>", links=[url])
                           for label, url in links[:LINKS_LISTED])
        elements.append({"type": "mrkdwn", "text": f":link: *Links:* {listed}"})
    return {"type": "context", "elements": elements}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def feedback_block(answer_id: str) -> Block:
    """Slack's feedback buttons; each button's value is the vote and the stored answer's id."""
    element = FeedbackButtonsElement(
        action_id=ACTION_FEEDBACK,
        positive_button=FeedbackButtonObject(text="Nuttig", value=vote_value("up", answer_id),
                                             accessibility_label="Dit antwoord was nuttig"),
        negative_button=FeedbackButtonObject(text="Niet nuttig", value=vote_value("down", answer_id),
                                             accessibility_label="Dit antwoord was niet nuttig"))
    return ContextActionsBlock(block_id=FEEDBACK_BLOCK_ID, elements=[element]).to_dict()


def vote_value(vote: str, answer_id: str) -> str:
    return f"{vote}:{answer_id}"


def parse_vote(value: str) -> tuple[str, str] | None:
    """(vote, answer id) from a feedback button's value; None when it is not one of ours."""
    vote, _, answer_id = value.partition(":")
    return (vote, answer_id) if vote in VOTES and answer_id else None


def share_block(answer_id: str) -> Block:
    """"Deel in kanaal" under a private answer (a context_actions block takes only feedback and icon
    buttons, so this is an actions block of its own)."""
    return {"type": "actions", "block_id": SHARE_BLOCK_ID, "elements": [
        {"type": "button", "action_id": ACTION_SHARE, "value": answer_id, "style": "primary",
         "text": {"type": "plain_text", "text": "Deel in kanaal", "emoji": True}}]}


def question_block(question: str, *, shared_by: str | None = None) -> Block:
    text = f"*Vraag:* {neutralise(escape(question))}"
    if shared_by:
        text = f"<@{shared_by}> deelde een antwoord van Vraagbaak. {text}"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2000]}]}


def footer_blocks(answer: Answer, answer_id: str, *, share: bool = False, streamed: bool = False,
                  routes: EscalationRoutes = NO_ROUTES) -> list[Block]:
    """What follows the answer's text: the sources, the feedback buttons, "Vraag een collega" where
    `routes` has a channel for its sources (and "Deel in kanaal"). Under a streamed answer, whose
    text could link nowhere, the links it may keep are listed too."""
    block = sources_block(answer.sources, links=inline_links(answer) if streamed else (), language=answer.language)
    blocks = curated_mark.mark(answer) + ([block] if block else []) + [feedback_block(answer_id)]
    blocks += escalation.blocks(routes, answer, answer_id)
    return blocks + ([share_block(answer_id)] if share else [])


def inline_links(answer: Answer) -> list[tuple[str, str]]:
    """(label, url) of the links the answer's text may keep: those its cited sources have."""
    allowed = {u.rstrip("/") for u in answer_links(answer.sources)}
    shown = {s.url.rstrip("/") for s in answer.sources if s.url}
    found: dict[str, str] = {}
    for label, url in _LINK.findall(answer.text):
        found.setdefault(url, label)
    for url in links_in(answer.text):
        found.setdefault(url, url)
    return [(label, url) for url, label in found.items() if url.rstrip("/") in allowed - shown]


def answer_markdown(answer: Answer) -> str:
    return safe_markdown(answer.text, links=answer_links(answer.sources)) or "_(geen antwoord)_"


def answer_messages(answer: Answer, answer_id: str, *, share: bool = False,
                    question: str | None = None, shared_by: str | None = None,
                    routes: EscalationRoutes = NO_ROUTES) -> list[list[Block]]:
    """The answer as one or more messages' blocks, each within Slack's limits: its Markdown in
    `markdown` blocks (at most ANSWER_CHARS_PER_MESSAGE a message), the footer on the last."""
    pieces = split_text(answer_markdown(answer), ANSWER_CHARS_PER_MESSAGE)
    messages = [[markdown_block(piece)] for piece in pieces]
    if question:
        messages[0].insert(0, question_block(question, shared_by=shared_by))
    messages[-1] += footer_blocks(answer, answer_id, share=share, routes=routes)
    return messages


def fallback_text(markdown: str, limit: int = FALLBACK_TEXT_LIMIT, *, links: Sequence[str] = ()) -> str:
    """The plain `text` of a message (mrkdwn): notifications and clients without Block Kit show it."""
    text = neutralise(to_mrkdwn(markdown.strip()), links=links) or "(geen antwoord)"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def blocks_text(blocks: Sequence[Block]) -> str:
    """The text of a message's blocks, joined (to read an earlier answer back from a thread): markdown
    blocks, section texts, and the rich_text Slack may turn a markdown block into."""
    texts = []
    for block in blocks:
        if block.get("type") == "markdown" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block.get("type") == "section" and isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])
        elif block.get("type") == "rich_text":
            texts.append(_rich_text(block))
    return "\n\n".join(t for t in texts if t.strip())


def _rich_text(node: Any) -> str:
    if isinstance(node, list):
        return "".join(_rich_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    if isinstance(node.get("text"), str):
        return node["text"]
    inner = _rich_text(node.get("elements") or [])
    return inner + "\n" if node.get("type") in {"rich_text_section", "rich_text_quote",
                                                 "rich_text_preformatted", "rich_text_list"} else inner


def is_answer_message(message: dict[str, Any]) -> bool:
    """Whether a message from the thread is one of our answers (it carries the feedback buttons)."""
    return any(b.get("block_id") == FEEDBACK_BLOCK_ID for b in message.get("blocks") or [])
