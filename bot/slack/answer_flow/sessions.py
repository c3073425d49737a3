"""Slack's agent sessions (docs.slack.dev: "Agent sessions") around an answer in a thread: in the
app's Messages tab (the agent messaging view) and in channel threads, where an @mention or a
follow-up is answered. Slack scopes a session to one thread "in a conversation, like a channel or
DM", named by the thread's root message: the question's own ts when it starts the thread, else the
thread_ts it was asked in.

A question opens (or re-opens) its thread's session as `processing`, with a short title taken from
the question when the session is new; once the answer stands, and no other answer is still being
written in that thread, the session is `active`. While it is processing Slack shows a stop button;
a click arrives as the `agent_session_stopped` event, and `RunningAnswers.stop` cancels the answers
being written in that thread (the model stops at its next token, a question still waiting gives up
its place in the queue). Slack leaves the session processing after a click: the answer flow moves it
on when it has closed the stream, and a click on a thread with nothing running is answered at once.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

TITLE_CHARS = 60  # Slack allows 200; a session list shows only the first words
PROCESSING, ACTIVE = "processing", "active"
MISSING_STOP_SUBSCRIPTION = "missing_agent_session_stopped_event_subscription"


def session_title(question: str, limit: int = TITLE_CHARS) -> str:
    """The question on one line, cut after a whole word: "Hoeveel vakantiedagen heb ik per…"."""
    text = re.sub(r"\s+", " ", question).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-") + "…"


class AgentSession:
    """One thread's session as the answer flow moves it: processing, then active."""

    def __init__(self, client: WebClient, *, channel: str, thread_ts: str, user: str) -> None:
        self.client, self.channel, self.thread_ts, self.user = client, channel, thread_ts, user

    def processing(self, question: str) -> bool:
        """The session processing (created with a title from `question` when it is new)."""
        return self._set(PROCESSING, title=session_title(question) or None, initiator_user_id=self.user)

    def active(self) -> bool:
        return self._set(ACTIVE)

    def _set(self, status: str, **extra: Any) -> bool:
        try:
            response = self.client.agents_sessions_setStatus(channel_id=self.channel, thread_ts=self.thread_ts,
                                                             status=status, **extra)
        except SlackApiError as exc:  # a session that cannot be shown must never cost the answer
            log.info("agents.sessions.setStatus %s failed: %s", status, exc.response.get("error"))
            return False
        if response.get("warning") == MISSING_STOP_SUBSCRIPTION:
            log.warning("Slack shows no stop button: the app does not subscribe to agent_session_stopped "
                        "(deploy/slack-manifest.yaml)")
        return True


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class StopRequest:
    """Whether the asker asked to stop this answer; cancels what it is given to cancel then."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._work: list[Cancellable] = []

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def attach(self, work: Cancellable) -> None:
        """`work` is cancelled when the stop comes (at once if it came already)."""
        with self._lock:
            self._work.append(work)
            stopped = self.stopped
        if stopped:
            work.cancel()

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            work = list(self._work)
        for item in work:
            item.cancel()


class RunningAnswers:
    """The answers being written, per thread, so that a stop button click reaches them (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[tuple[str, str], list[StopRequest]] = {}

    @contextmanager
    def running(self, channel: str, thread_ts: str | None) -> Iterator[StopRequest]:
        request = StopRequest()
        if thread_ts is None:  # no thread, no session: nothing can stop it
            yield request
            return
        key = (channel, thread_ts)
        with self._lock:
            self._running.setdefault(key, []).append(request)
        try:
            yield request
        finally:
            with self._lock:
                left = [r for r in self._running.get(key, []) if r is not request]
                if left:
                    self._running[key] = left
                else:
                    self._running.pop(key, None)

    def busy(self, channel: str, thread_ts: str | None) -> bool:
        """Whether an answer is being written in the thread."""
        with self._lock:
            return thread_ts is not None and bool(self._running.get((channel, thread_ts)))

    def stop(self, channel: str, thread_ts: str) -> int:
        """Stops every answer being written in the thread; how many there were."""
        with self._lock:
            requests = list(self._running.get((channel, thread_ts), []))
        for request in requests:
            request.stop()
        return len(requests)
