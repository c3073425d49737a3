"""How an answer reaches Slack while the model writes it, and how it ends as a Block Kit message.

Three ways, one interface (`Delivery`):
- `StreamedReply` (streaming.py): Slack's chat streaming through slack_sdk's `ChatStream`, in a thread;
  falls back to `UpdatedReply` when the workspace does not offer streaming, or when the stream breaks off.
- `UpdatedReply`: a placeholder that is edited (chat.update) at most once per interval, then becomes
  the finished answer.
- `EphemeralReply`: a private answer through the slash command's response_url (which allows only
  five messages, so nothing is streamed there).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Callable, Protocol

from slack_sdk import WebClient

from bot.answering.types import Answer, Preview, Source
from bot.slack.features.escalation import NO_ROUTES, EscalationRoutes
from bot.slack.ui.blocks import answer_links, answer_messages, escape, fallback_text
from bot.slack.ui.safe_text import neutralise

log = logging.getLogger(__name__)

THINKING_TEXT = "Even denken… :hourglass_flowing_sand:"
UPDATE_PREVIEW_LIMIT = 3000  # characters shown while an answer is being written via chat.update
TITLES_SHOWN = 5  # documents named while the answer is being written
PREVIEW_CHARS = 1000  # of the best sentence(s) quoted above the answer

TEXTS = {
    "nl": {"found": "Gevonden in de documenten", "not_found": "Niet gevonden in de documenten",
           "search": "Zoeken in de documenten", "write": "Antwoord schrijven",
           "wait": "Wachten op mijn beurt", "nothing": "Geen passage die je vraag beantwoordt",
           "found_in": "Gevonden in", "writing": "ik schrijf het antwoord…", "failed": "Niet gelukt",
           "stopped": "Gestopt op je verzoek.", "stopped_task": "Gestopt",
           "interrupted": "Dit antwoord werd onderbroken; het volledige antwoord staat hieronder."},
    "en": {"found": "Found in the documents", "not_found": "Not found in the documents",
           "search": "Searching the documents", "write": "Writing the answer",
           "wait": "Waiting for my turn", "nothing": "No passage answers your question",
           "found_in": "Found in", "writing": "writing the answer…", "failed": "Did not work",
           "stopped": "Stopped at your request.", "stopped_task": "Stopped",
           "interrupted": "This answer was interrupted; the full answer follows below."},
}


def queue_text(position: int) -> str:
    """What a user reads while `position` questions ahead of theirs are answered (as the CLI
    counts: one question ahead makes you the 2nd in line)."""
    return (f"Het is even druk: je bent de {position + 1}e in de rij… "
            "Je vraag blijft staan en wordt beantwoord zodra het model vrij is.")


class Delivery(Protocol):
    halted: bool  # Slack stopped the message (the session's stop button): the answer is to stop

    def thinking(self) -> None: ...
    def searched(self, found: Sequence[Source], preview: Preview | None, *, abstained: bool) -> None: ...
    def queued(self, position: int) -> None: ...
    def write(self, delta: str) -> None: ...
    def finish(self, answer: Answer, answer_id: str) -> None: ...
    def fail(self, message: str) -> None: ...
    def stopped(self, note: str) -> None: ...


# --- what was found, as text ---------------------------------------------------------------------

def source_title(source: Source) -> str:
    """A document's title and heading, as written (neutralise before sending)."""
    title = source.title or source.path
    return f"{title} › {source.heading}" if source.heading and source.heading != source.title else title


def distinct_titles(found: Sequence[Source]) -> list[str]:
    return list(dict.fromkeys(source_title(s) for s in found))


def found_mrkdwn(found: Sequence[Source], preview: Preview | None, language: str) -> str:
    """'Gevonden in: *A*, *B* — ik schrijf het antwoord…' (and the best sentence, quoted), as mrkdwn."""
    texts = TEXTS[language]
    titles = distinct_titles(found)
    named = ", ".join(f"*{escape(t)}*" for t in titles[:TITLES_SHOWN])
    if len(titles) > TITLES_SHOWN:
        named += f" (+{len(titles) - TITLES_SHOWN})"
    lines = [f":mag: {texts['found_in']} {named}: {texts['writing']}"]
    if preview is not None and preview.text.strip():
        lines += [_quoted(escape(cut_preview(preview.text))), f"> — _{escape(source_title(preview.source))}_"]
    return neutralise("\n".join(lines))


def cut_preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


# --- the three deliveries --------------------------------------------------------------------------

class UpdatedReply:
    """A placeholder message edited while the answer is written, finished with Block Kit."""

    halted = False

    def __init__(self, client: WebClient, *, channel: str, thread_ts: str | None,
                 interval_s: float = 1.0, language: str = "nl", routes: EscalationRoutes = NO_ROUTES) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.routes = routes
        self.interval_s = interval_s
        self.language = language
        self.ts: str | None = None
        self.text = ""
        self.header = ""  # what was found, shown above the text while it is written
        self._last_update = 0.0

    def thinking(self) -> None:
        self._post_or_update(THINKING_TEXT)

    def searched(self, found: Sequence[Source], preview: Preview | None, *, abstained: bool) -> None:
        if abstained or not found:
            return  # the answer follows at once
        self.header = found_mrkdwn(found, preview, self.language)
        self._post_or_update(self.header)

    def queued(self, position: int) -> None:
        self._post_or_update("\n\n".join(filter(None, [self.header, queue_text(position)])))

    def write(self, delta: str) -> None:
        self.text += delta
        if self.text.strip() and time.monotonic() - self._last_update >= self.interval_s:
            partial = fallback_text(self.text, max(UPDATE_PREVIEW_LIMIT - len(self.header), 1000)) + " …"
            self._post_or_update("\n\n".join(filter(None, [self.header, partial])))

    def finish(self, answer: Answer, answer_id: str) -> None:
        messages = answer_messages(answer, answer_id, routes=self.routes)
        text = fallback_text(answer.text, links=answer_links(answer.sources))
        if self.ts is None:
            self.ts = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                   text=text, blocks=messages[0])["ts"]
        else:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=messages[0])
        post_follow_ups(self.client, self.channel, self.thread_ts, messages[1:], text)

    def fail(self, message: str) -> None:
        self._post_or_update(message, blocks=[])

    def stopped(self, note: str) -> None:
        """What was written so far stays, the note under it; no buttons (nothing was stored)."""
        limit = max(UPDATE_PREVIEW_LIMIT - len(self.header), 1000)
        written = fallback_text(self.text, limit) if self.text.strip() else ""
        self._post_or_update("\n\n".join(filter(None, [self.header, written, f"_{note}_"])), blocks=[])

    def _post_or_update(self, text: str, **extra: Any) -> None:
        if self.ts is None:
            self.ts = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                   text=text)["ts"]
        else:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=text, **extra)
        self._last_update = time.monotonic()


def post_follow_ups(client: WebClient, channel: str, thread_ts: str | None,
                    messages: list[list[dict]], text: str) -> None:
    """The parts of a long answer after the first message, in the same thread."""
    for number, blocks in enumerate(messages, start=2):
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks,
                                text=f"(vervolg {number}) {text[:200]}")


class EphemeralReply:
    """A private answer (a `/vraag`), sent through the command's response_url."""

    halted = False

    def __init__(self, respond: Callable[..., Any], *, question: str, language: str = "nl",
                 routes: EscalationRoutes = NO_ROUTES) -> None:
        self.respond = respond
        self.routes = routes
        self.question = question
        self.language = language

    def thinking(self) -> None:
        """The slash command's acknowledgement already said "Even denken…"."""

    def searched(self, found: Sequence[Source], preview: Preview | None, *, abstained: bool) -> None:
        if found and not abstained:
            self._send(text=found_mrkdwn(found, preview, self.language), replace_original=True)

    def queued(self, position: int) -> None:
        self._send(text=queue_text(position), replace_original=True)

    def write(self, delta: str) -> None:
        """Not streamed: a response_url takes only five messages."""

    def finish(self, answer: Answer, answer_id: str) -> None:
        messages = answer_messages(answer, answer_id, share=True, question=self.question, routes=self.routes)
        text = fallback_text(answer.text, links=answer_links(answer.sources))
        self._send(text=text, blocks=messages[0], replace_original=True)
        for blocks in messages[1:]:
            self._send(text=text[:200], blocks=blocks, replace_original=False)

    def fail(self, message: str) -> None:
        self._send(text=message, replace_original=True)

    def stopped(self, note: str) -> None:
        self._send(text=note, replace_original=True)

    def _send(self, **message: Any) -> None:
        response = self.respond(response_type="ephemeral", **message)
        status = getattr(response, "status_code", 200)
        if status != 200:
            log.warning("response_url answered %s: %s", status, getattr(response, "body", ""))
