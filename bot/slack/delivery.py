"""How an answer reaches Slack while the model writes it, and how it ends as a Block Kit message.

Three ways, one interface (`Delivery`):
- `StreamedReply`: Slack's chat streaming API (chat.startStream / appendStream / stopStream) in a
  thread, then the stream's message is replaced by the finished Block Kit answer. Falls back to
  `UpdatedReply` when the workspace does not offer streaming.
- `UpdatedReply`: a placeholder "Even denken…" that is edited (chat.update) at most once per interval.
- `EphemeralReply`: a private answer through the slash command's response_url (which allows only
  five messages, so nothing is streamed there).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.answer import Answer
from bot.slack.blocks import answer_links, answer_messages, fallback_text
from bot.slack.safe_text import neutralise

log = logging.getLogger(__name__)

THINKING_TEXT = "Even denken… :hourglass_flowing_sand:"
STREAM_CHUNK_LIMIT = 12000  # characters of markdown_text per streaming call
UPDATE_PREVIEW_LIMIT = 3000  # characters shown while an answer is being written via chat.update
_TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                     "request_timeout"}


def queue_text(position: int) -> str:
    """What a user reads while `position` questions ahead of theirs are answered (as the CLI
    counts: one question ahead makes you the 2nd in line)."""
    return (f"Het is even druk: je bent de {position + 1}e in de rij… "
            "Je vraag blijft staan en wordt beantwoord zodra het model vrij is.")


class Delivery(Protocol):
    def thinking(self) -> None: ...
    def queued(self, position: int) -> None: ...
    def write(self, delta: str) -> None: ...
    def finish(self, answer: Answer, answer_id: str) -> None: ...
    def fail(self, message: str) -> None: ...


class StreamingSupport:
    """Remembers that this workspace has no chat streaming, so later answers skip trying it."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._enabled

    def failed(self, error: SlackApiError) -> None:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        if code not in _TRANSIENT_ERRORS:
            with self._lock:
                if self._enabled:
                    log.warning("chat streaming unavailable (%s); answers are edited in place instead", code)
                self._enabled = False


class UpdatedReply:
    """A placeholder message edited while the answer is written, finished with Block Kit."""

    def __init__(self, client: WebClient, *, channel: str, thread_ts: str | None,
                 interval_s: float = 1.0) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.interval_s = interval_s
        self.ts: str | None = None
        self.text = ""
        self._last_update = 0.0

    def thinking(self) -> None:
        self._post_or_update(THINKING_TEXT)

    def queued(self, position: int) -> None:
        self._post_or_update(queue_text(position))

    def write(self, delta: str) -> None:
        self.text += delta
        if self.text.strip() and time.monotonic() - self._last_update >= self.interval_s:
            preview = fallback_text(self.text, UPDATE_PREVIEW_LIMIT)
            self._post_or_update(preview + " …")

    def finish(self, answer: Answer, answer_id: str) -> None:
        messages = answer_messages(answer, answer_id)
        text = fallback_text(answer.text, links=answer_links(answer.sources))
        if self.ts is None:
            self.ts = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                   text=text, blocks=messages[0])["ts"]
        else:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=messages[0])
        post_follow_ups(self.client, self.channel, self.thread_ts, messages[1:], text)

    def fail(self, message: str) -> None:
        self._post_or_update(message, blocks=[])

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


class StreamedReply:
    """Slack's chat streaming in a thread; on a workspace without it, an `UpdatedReply`."""

    def __init__(self, client: WebClient, *, channel: str, thread_ts: str, user: str,
                 team: str | None, support: StreamingSupport, interval_s: float = 1.0) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.user, self.team = user, team
        self.support = support
        self.interval_s = interval_s
        self.ts: str | None = None
        self.pending = ""
        self.sent = ""
        self.notice_ts: str | None = None
        self.fallback: UpdatedReply | None = None
        self.stopped = False
        self._last_flush = 0.0

    def thinking(self) -> None:
        """Nothing to post: the assistant status or the reaction already shows it."""

    def queued(self, position: int) -> None:
        if self.fallback is not None:
            return self.fallback.queued(position)
        self.notice_ts = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                      text=queue_text(position))["ts"]

    def write(self, delta: str) -> None:
        if self.fallback is not None:
            return self.fallback.write(delta)
        self.pending += delta
        if not self.pending.strip():
            return
        if self.ts is None:
            self._start()
        elif time.monotonic() - self._last_flush >= self.interval_s:
            self._append()

    def finish(self, answer: Answer, answer_id: str) -> None:
        if self.fallback is not None:
            return self.fallback.finish(answer, answer_id)
        messages = answer_messages(answer, answer_id)
        text = fallback_text(answer.text, links=answer_links(answer.sources))
        if self.ts is not None:
            self._stop()
            # The streamed text is the model's raw output; the finished answer has its citations
            # resolved and its sources, so it replaces the streamed message.
            try:
                self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=messages[0])
                messages = messages[1:]
            except SlackApiError as exc:
                log.warning("could not replace the streamed message (%s); posting the answer below it",
                            exc.response.get("error"))
        if messages:
            self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                         text=text, blocks=messages[0])
            post_follow_ups(self.client, self.channel, self.thread_ts, messages[1:], text)
        self._remove_notice()

    def fail(self, message: str) -> None:
        if self.fallback is not None:
            return self.fallback.fail(message)
        try:
            if self.ts is not None and not self.stopped:
                self.pending += f"\n\n{message}"
                self._stop()
            else:
                self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=message)
        finally:
            self._remove_notice()

    # --- the streaming calls ----------------------------------------------------------------------
    # The model's raw text goes out neutralised (bot/slack/safe_text.py) and in whole words only: a
    # mention or a URL cut in two would pass the neutraliser in halves. No link is clickable while
    # streaming; the finished answer, which replaces the stream, has the cited ones.

    def _start(self) -> None:
        if not self.support.enabled:
            return self._fall_back()
        raw = self._whole_words()
        if not raw:
            return
        first, *more = _stream_pieces(raw)
        try:
            response = self.client.chat_startStream(
                channel=self.channel, thread_ts=self.thread_ts, markdown_text=first,
                recipient_user_id=self.user, recipient_team_id=self.team)
        except SlackApiError as exc:
            self.pending = raw + self.pending
            self.support.failed(exc)
            log.info("chat.startStream failed (%s); editing a message instead", exc.response.get("error"))
            return self._fall_back()
        self.ts = str(response["ts"])
        for piece in more:
            self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=piece)
        self.sent += raw
        self._last_flush = time.monotonic()
        self._remove_notice()

    def _append(self) -> None:
        raw = self._whole_words()
        for piece in _stream_pieces(raw):
            self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=piece)
        self.sent += raw
        self._last_flush = time.monotonic()

    def _stop(self) -> None:
        rest, self.pending = self.pending, ""
        pieces = _stream_pieces(rest)
        for piece in pieces[:-1]:
            self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=piece)
        self.stopped = True
        self.client.chat_stopStream(channel=self.channel, ts=self.ts, markdown_text=pieces[-1] if pieces else None)
        self.sent += rest

    def _whole_words(self) -> str:
        """The pending text up to its last space or line break (the rest waits for more)."""
        cut = max(self.pending.rfind(" "), self.pending.rfind("\n")) + 1
        raw, self.pending = self.pending[:cut], self.pending[cut:]
        return raw

    def _fall_back(self) -> None:
        self.fallback = UpdatedReply(self.client, channel=self.channel, thread_ts=self.thread_ts,
                                     interval_s=self.interval_s)
        if self.notice_ts is not None:  # the queue notice becomes the placeholder
            self.fallback.ts, self.notice_ts = self.notice_ts, None
        text, self.pending = self.sent + self.pending, ""
        self.fallback.write(text)

    def _remove_notice(self) -> None:
        if self.notice_ts is None:
            return
        ts, self.notice_ts = self.notice_ts, None
        try:
            self.client.chat_delete(channel=self.channel, ts=ts)
        except SlackApiError as exc:
            log.info("could not remove the queue notice: %s", exc.response.get("error"))


def _stream_pieces(raw: str) -> list[str]:
    """Raw model text as neutralised `markdown_text`, in pieces Slack accepts per call."""
    safe = neutralise(raw, markdown=True)
    return [safe[i:i + STREAM_CHUNK_LIMIT] for i in range(0, len(safe), STREAM_CHUNK_LIMIT)]


class EphemeralReply:
    """A private answer (a `/vraag`), sent through the command's response_url."""

    def __init__(self, respond: Callable[..., Any], *, question: str) -> None:
        self.respond = respond
        self.question = question

    def thinking(self) -> None:
        """The slash command's acknowledgement already said "Even denken…"."""

    def queued(self, position: int) -> None:
        self._send(text=queue_text(position), replace_original=True)

    def write(self, delta: str) -> None:
        """Not streamed: a response_url takes only five messages."""

    def finish(self, answer: Answer, answer_id: str) -> None:
        messages = answer_messages(answer, answer_id, share=True, question=self.question)
        text = fallback_text(answer.text, links=answer_links(answer.sources))
        self._send(text=text, blocks=messages[0], replace_original=True)
        for blocks in messages[1:]:
            self._send(text=text[:200], blocks=blocks, replace_original=False)

    def fail(self, message: str) -> None:
        self._send(text=message, replace_original=True)

    def _send(self, **message: Any) -> None:
        response = self.respond(response_type="ephemeral", **message)
        status = getattr(response, "status_code", 200)
        if status != 200:
            log.warning("response_url answered %s: %s", status, getattr(response, "body", ""))
