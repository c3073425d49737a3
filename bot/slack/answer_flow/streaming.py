"""Slack's chat streaming through slack_sdk's `ChatStream` (`client.chat_stream`), in a thread. It starts
as soon as the passages are found, with a plan of tasks that names the documents (and the best sentence
of them, quoted); the answer streams under it, and `chat.stopStream` adds the sources and the feedback
buttons. Falls back to `UpdatedReply` (delivery.py) when the workspace does not offer streaming, or
when the stream breaks off.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks.block_elements import UrlSourceElement
from slack_sdk.models.messages.chunk import Chunk, PlanUpdateChunk, TaskUpdateChunk
from slack_sdk.web.chat_stream import ChatStream

from bot.answering.types import Answer, Preview, Source
from bot.slack.answer_flow.delivery import (TEXTS, TITLES_SHOWN, UpdatedReply, cut_preview, distinct_titles,
                                            queue_text, source_title)
from bot.slack.features.escalation import NO_ROUTES, EscalationRoutes
from bot.slack.ui.blocks import ANSWER_CHARS_PER_MESSAGE, footer_blocks
from bot.slack.ui.safe_text import neutralise

log = logging.getLogger(__name__)

STREAM_CHUNK_LIMIT = 12000  # characters of markdown_text per streaming call
# ChatStream sends when this much text waits (and we make it send when the interval is over): a fast
# model then makes about one call a second, within chat.appendStream's rate limit (tier 4).
STREAM_BUFFER_CHARS = 1000
# One piece handed to the streamer: with what its buffer may already hold, a call stays within the limit.
STREAM_PIECE_LIMIT = STREAM_CHUNK_LIMIT - STREAM_BUFFER_CHARS
# A streamed message holds at most what one finished message holds; a longer answer goes on being
# written (its task says so) and, when it is finished, replaces the stream, split over messages.
STREAMED_TEXT_LIMIT = ANSWER_CHARS_PER_MESSAGE
TASK_SEARCH, TASK_WRITE = "zoeken", "schrijven"
_TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                     "request_timeout"}
# Refusals of one call's content: this answer is edited instead, streaming stays on for the next.
_CONTENT_ERRORS = {"msg_too_long", "no_text", "invalid_blocks", "invalid_chunks", "invalid_arguments",
                   "message_not_in_streaming_state"}
# What an append gets once the stop button of the stream's thread's session was clicked
# (agent_session_stopped's streaming_message_ts names the streams Slack stopped); outside a session
# it means the stream broke off.
STOPPED_BY_USER = "message_not_in_streaming_state"


class StreamingSupport:
    """Remembers that this workspace has no chat streaming, so later answers skip trying it."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._enabled

    def failed(self, error: SlackApiError) -> None:
        code = _error_code(error)
        if code not in _TRANSIENT_ERRORS | _CONTENT_ERRORS:
            with self._lock:
                if self._enabled:
                    log.warning("chat streaming unavailable (%s); answers are edited in place instead", code)
                self._enabled = False


class StreamedReply:
    """Slack's chat streaming in a thread (slack_sdk's ChatStream); an `UpdatedReply` on a workspace
    without it, or once a stream breaks off (on the streamed message itself, as Slack advises).

    What is streamed is neutralised (bot/slack/ui/safe_text.py) and goes out in whole words only: a
    mention or a URL cut in two would pass the neutraliser in halves. No link is clickable while
    streaming; the links the answer may keep are listed under it when it is finished.
    """

    def __init__(self, client: WebClient, *, channel: str, thread_ts: str, user: str,
                 team: str | None, support: StreamingSupport, interval_s: float = 1.0,
                 language: str = "nl", routes: EscalationRoutes = NO_ROUTES,
                 in_session: Callable[[], bool] = lambda: False) -> None:
        """`in_session`: whether the thread's agent session shows a stop button now."""
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.in_session = in_session
        self.routes = routes
        self.user, self.team = user, team
        self.support = support
        self.interval_s = interval_s
        self.language = language
        self.texts = TEXTS[language]
        self.streamer: ChatStream | None = None
        self.fallback: UpdatedReply | None = None
        self.pending = ""  # the model's text after the last whole word
        self.sent = ""  # the model's text handed to the streamer
        self.notice_ts: str | None = None
        self.ended = False  # chat.stopStream was sent
        self.overflow = False  # the answer outgrew the streamed message
        self._writing = False  # the "writing" task is shown in progress
        self._abstained = False  # a refusal: no writing task, the answer is already known
        # Slack stopped the stream of a session: someone clicked its stop button (the event may come
        # later, or reach another replica); the answer flow stops the answer when it sees this.
        self.halted = False
        self._last_flush = 0.0

    @property
    def ts(self) -> str | None:
        return self.streamer.ts if self.streamer is not None else None

    def thinking(self) -> None:
        """Nothing to post: the assistant status or the reaction already shows it."""

    def searched(self, found: Sequence[Source], preview: Preview | None, *, abstained: bool) -> None:
        """Starts the stream at once with what was found: the documents, and the best sentence."""
        if self.fallback is not None:
            return self.fallback.searched(found, preview, abstained=abstained)
        # The best sentence goes in the search task, not in the message's text: the text is the
        # answer alone (what the thread's history, the final blocks and an error message build on).
        chunks: list[Chunk] = [PlanUpdateChunk(title=self.texts["not_found" if abstained else "found"]),
                               self._search_task(found, abstained, None if abstained else preview)]
        self._abstained = abstained
        if not abstained:
            chunks.append(self._write_task("in_progress"))
            self._writing = True
        self._start(chunks)
        if self.fallback is not None:  # no streaming here: the placeholder shows it
            self.fallback.searched(found, preview, abstained=abstained)

    def queued(self, position: int) -> None:
        if self.fallback is not None:
            return self.fallback.queued(position)
        if self.streamer is not None:  # the writing task waits, and says for how many
            self._writing = False
            try:
                self._send(chunks=[self._write_task("pending", title=self.texts["wait"],
                                                    details=queue_text(position))])
            except SlackApiError as exc:  # the place in the queue is a courtesy; the answer follows
                log.info("could not show the queue place in the stream: %s", _error_code(exc))
            return
        self.notice_ts = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                      text=queue_text(position))["ts"]

    def write(self, delta: str) -> None:
        if self.fallback is not None:
            return self.fallback.write(delta)
        if self.halted:
            return
        self.pending += delta
        cut = max(self.pending.rfind(" "), self.pending.rfind("\n")) + 1
        raw, self.pending = self.pending[:cut], self.pending[cut:]
        if raw.strip():
            self._stream(raw)

    def finish(self, answer: Answer, answer_id: str) -> None:
        try:
            self._finish(answer, answer_id)
        finally:
            self._remove_notice()

    def _finish(self, answer: Answer, answer_id: str) -> None:
        if self.fallback is None:
            try:
                if self._end_stream(answer, answer_id):
                    return
            except SlackApiError as exc:
                log.warning("could not finish the stream (%s); editing the message instead", _error_code(exc))
                self.fallback = self._updated_reply()
        assert self.fallback is not None
        self.fallback.finish(answer, answer_id)

    def _end_stream(self, answer: Answer, answer_id: str) -> bool:
        """Ends the stream: True when what was streamed is the answer (Slack's own ending adds the
        sources and the buttons); False when the finished answer is to replace it (`fallback` set)."""
        rest, self.pending = self.pending, ""
        if rest.strip():
            self._stream(rest)
        if self.streamer is None and self.fallback is None:
            self._start([])
        if self.fallback is not None:  # the stream broke off, or never began
            return False
        done = [] if self._abstained else [self._write_task("complete")]
        if not self.overflow and _same_text(self.sent, answer.text):
            self._stop(chunks=done, blocks=footer_blocks(answer, answer_id, streamed=True, routes=self.routes))
            return True
        # The finished answer differs from the stream (a quote instead of an echo, a refusal with
        # documents to try, one too long for a message): it replaces the streamed text.
        self._stop(chunks=done)
        self.fallback = self._updated_reply()
        return False

    def fail(self, message: str) -> None:
        if self.fallback is not None:
            return self.fallback.fail(message)
        try:
            if self.streamer is not None and not self.ended:
                failed = [self._write_task("error", title=self.texts["failed"])] if self._writing else []
                try:
                    return self._stop(markdown_text=f"\n\n{message}", chunks=failed)
                except SlackApiError as exc:
                    log.warning("could not end the stream with the error (%s)", _error_code(exc))
                    if self.ts is not None:
                        return self._updated_reply().fail(message)
            self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=message)
        finally:
            self._remove_notice()

    def stopped(self, note: str) -> None:
        """The asker clicked stop: Slack has stopped the stream (no more appends); chat.stopStream
        still takes what was written and not yet shown, and the note (no buttons: nothing is stored)."""
        if self.fallback is not None:
            return self.fallback.stopped(note)
        try:
            if self.streamer is not None and not self.ended:
                rest, self.pending = self.pending, ""
                text = neutralise(rest, markdown=True) if rest.strip() else ""
                done = [self._write_task("complete", title=self.texts["stopped_task"])] if self._writing else []
                try:
                    return self._stop(markdown_text=f"{text}\n\n_{note}_", chunks=done)
                except SlackApiError as exc:
                    log.warning("could not close the stopped stream (%s)", _error_code(exc))
            self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=note)
        finally:
            self._remove_notice()

    # --- the stream ------------------------------------------------------------------------------

    def _start(self, chunks: list[Chunk]) -> None:
        if not self.support.enabled:
            return self._fall_back()
        streamer = self.client.chat_stream(channel=self.channel, thread_ts=self.thread_ts,
                                           recipient_user_id=self.user, recipient_team_id=self.team,
                                           task_display_mode="plan", buffer_size=STREAM_BUFFER_CHARS)
        try:
            if chunks:
                streamer.append(chunks=chunks)
        except SlackApiError as exc:
            self.support.failed(exc)
            log.info("chat.startStream failed (%s); editing a message instead", _error_code(exc))
            return self._fall_back()
        self.streamer = streamer
        self._last_flush = time.monotonic()
        self._remove_notice()

    def _stream(self, raw: str) -> None:
        """The model's `raw` text, neutralised, to the streamer (which sends it when its buffer is full,
        or now when the interval is over); the writing task goes back in progress if it waited."""
        extra = [] if self._writing or self._abstained else [self._write_task("in_progress")]
        if self.streamer is None:
            self._start(extra)
            extra = []
            if self.fallback is not None:
                return self.fallback.write(raw)
        self._writing = True
        if len(self.sent) + len(raw) > STREAMED_TEXT_LIMIT:
            self.sent += raw  # not shown: the finished answer will replace the stream
            self.overflow = True
            return
        try:
            for piece in _stream_pieces(raw):
                due = extra or time.monotonic() - self._last_flush >= self.interval_s
                if self._send(markdown_text=piece, chunks=extra if due else None) is not None:
                    self._last_flush = time.monotonic()
                extra = []
            self.sent += raw
        except SlackApiError as exc:
            if _error_code(exc) == STOPPED_BY_USER and self.in_session():
                log.info("Slack stopped the stream in %s/%s: the stop button", self.channel, self.thread_ts)
                self.halted = True
                return
            log.warning("the stream broke off (%s); editing the message instead", _error_code(exc))
            self.fallback = self._updated_reply()
            self.fallback.write(self.sent + raw)

    def _send(self, **kwargs: Any) -> Any:
        assert self.streamer is not None
        return self.streamer.append(**kwargs)

    def _stop(self, **kwargs: Any) -> None:
        assert self.streamer is not None
        self.ended = True
        self.streamer.stop(**kwargs)

    def _search_task(self, found: Sequence[Source], abstained: bool,
                     preview: Preview | None = None) -> TaskUpdateChunk:
        titles = distinct_titles(found)
        output = "\n".join(f"• {t}" for t in titles[:TITLES_SHOWN])
        if len(titles) > TITLES_SHOWN:
            output += f"\n(+{len(titles) - TITLES_SHOWN})"
        if abstained:
            output = "\n".join(filter(None, [self.texts["nothing"], output]))
        elif preview is not None and preview.text.strip():
            output += f"\n\n“{cut_preview(preview.text)}” — {source_title(preview.source)}"
        linked = {s.url: source_title(s) for s in found if s.url and s.url.startswith(("https://", "http://"))}
        sources = [UrlSourceElement(url=url, text=_plain(title)) for url, title in list(linked.items())[:TITLES_SHOWN]]
        return TaskUpdateChunk(id=TASK_SEARCH, title=self.texts["search"], status="complete",
                               output=_plain(output) or None, sources=sources or None)

    def _write_task(self, status: str, *, title: str | None = None, details: str | None = None) -> TaskUpdateChunk:
        return TaskUpdateChunk(id=TASK_WRITE, title=title or self.texts["write"], status=status, details=details)

    def _updated_reply(self) -> UpdatedReply:
        """The streamed message, edited from now on."""
        reply = UpdatedReply(self.client, channel=self.channel, thread_ts=self.thread_ts,
                             interval_s=self.interval_s, language=self.language, routes=self.routes)
        reply.ts = self.ts
        return reply

    def _fall_back(self) -> None:
        self.fallback = UpdatedReply(self.client, channel=self.channel, thread_ts=self.thread_ts,
                                     interval_s=self.interval_s, language=self.language, routes=self.routes)
        if self.notice_ts is not None:  # the queue notice becomes the placeholder
            self.fallback.ts, self.notice_ts = self.notice_ts, None

    def _remove_notice(self) -> None:
        if self.notice_ts is None:
            return
        ts, self.notice_ts = self.notice_ts, None
        try:
            self.client.chat_delete(channel=self.channel, ts=ts)
        except SlackApiError as exc:
            log.info("could not remove the queue notice: %s", _error_code(exc))


def _plain(text: str) -> str:
    """Text for a task (title, output, a source's name): no Slack markup, no link."""
    return neutralise(text, markdown=True)


def _stream_pieces(raw: str) -> list[str]:
    """Raw model text as neutralised `markdown_text`, in pieces Slack accepts per call."""
    safe = neutralise(raw, markdown=True)
    return [safe[i:i + STREAM_PIECE_LIMIT] for i in range(0, len(safe), STREAM_PIECE_LIMIT)]


def _same_text(streamed: str, final: str) -> bool:
    return re.sub(r"\s+", " ", streamed).strip() == re.sub(r"\s+", " ", final).strip()


def _error_code(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) if error.response is not None else ""


