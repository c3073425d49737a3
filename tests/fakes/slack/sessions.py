"""Slack's agent sessions, as the fake Workspace keeps them (docs.slack.dev: "Agent sessions",
agents.sessions.setStatus, agents.sessions.rename, the agent_session_stopped event).

A session belongs to one thread (channel, thread_ts), in a DM or a channel alike ("scoped to a single
thread in a conversation, like a channel or DM"); its thread_ts is "the thread root message the
session is scoped to", so the fake refuses a ts that names no message of that conversation
(`thread_not_found`) or a reply inside a thread (`invalid_thread_ts`), and an initiator who is not a
member of the channel ("Must be a member of the channel": `user_not_in_channel`; the error names
are not documented). `agents.sessions.setStatus` creates it on first
use (its title and initiator are taken then and ignored later) and sets its status: processing,
active, suspended or closed. Slack's documentation forbids no change between these, so the fake
accepts every one and records each (with the time and the method) for tests to judge. While a
session is processing, Slack shows the user a stop button, but only to an app subscribed to
`agent_session_stopped`: without the subscription every setStatus answers with the warning
`missing_agent_session_stopped_event_subscription` and the user sees a loading indicator that cannot
be clicked. A click (`stop_clicked`, by someone who can see the thread: a member of the channel)
stops the app's streams in that thread and is sent to the app
as the event; the status does not change by itself: the app must move the session away from
processing (setStatus, or chat.stopStream's `session_status`). `left_processing_after_stop()`
names the sessions where it did not.

What a stopped stream still takes is not documented. Slack "stopped" it, so chat.appendStream is
refused (message_not_in_streaming_state); chat.stopStream is accepted, because the documentation
names it as the way to move the session on after the click, and what it adds is recorded in the
stream like any chunk, after the click's time, for tests to judge.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.fakes.slack.failures import SlackApiFailure
from tests.fakes.slack.payloads import new_ts

SESSION_STATUSES = ("processing", "active", "suspended", "closed")
MAX_SESSION_TITLE = 200
STOP_EVENT = "agent_session_stopped"
MISSING_STOP_SUBSCRIPTION = "missing_agent_session_stopped_event_subscription"
_TS = re.compile(r"^\d+\.\d+$")


@dataclass
class AgentSession:
    """One thread's session: its title, who started it, and every status it had, in order."""

    channel: str
    thread_ts: str
    title: str
    initiator: str | None
    statuses: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic, status, method)
    stop_clicks: list[float] = field(default_factory=list)  # monotonic times of clicks on the stop button
    renames: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.statuses[-1][1]

    def history(self) -> list[str]:
        """The statuses it had, in order (repeats included)."""
        return [status for _, status, _ in self.statuses]


class AgentSessions:
    """The agent-session half of the fake Workspace (a mixin: it uses the Workspace's lock,
    channels, messages and `bot_events`)."""

    lock: threading.RLock
    bot_events: set[str] | None
    messages: dict[str, list[dict[str, Any]]]
    _channel: Callable[..., str]  # the Workspace's: a channel id the bot may use
    find_message: Callable[[str, str], dict[str, Any] | None]
    is_member: Callable[[str, str], bool]  # the Workspace's: (channel, user)

    def _init_sessions(self) -> None:
        self.sessions: dict[tuple[str, str], AgentSession] = {}

    # --- what tests read and do -------------------------------------------------------------------

    def session(self, channel: str, thread_ts: str) -> AgentSession | None:
        with self.lock:
            return self.sessions.get((channel, thread_ts))

    def stop_button_shown(self, channel: str, thread_ts: str) -> bool:
        """Whether the user sees a stop button in this thread now (processing, and subscribed)."""
        with self.lock:
            found = self.sessions.get((channel, thread_ts))
            return found is not None and found.status == "processing" and self._stop_subscribed()

    def stop_clicked(self, channel: str, thread_ts: str, user: str) -> dict[str, Any]:
        """The user clicks the stop button: the app's streams in the thread stop (no more appends),
        and the agent_session_stopped event for the app is returned. Raises when there is no button
        to click (no session processing, or the app not subscribed)."""
        with self.lock:
            found = self.sessions.get((channel, thread_ts))
            if not self.stop_button_shown(channel, thread_ts):
                shown = "no session" if found is None else f"status {found.status}"
                raise AssertionError(f"no stop button in {channel}/{thread_ts} ({shown}, subscribed: "
                                     f"{self._stop_subscribed()})")
            assert found is not None
            if not self.is_member(channel, user):
                raise AssertionError(f"{user} cannot see {channel}: not a member")
            found.stop_clicks.append(time.monotonic())
            stopped = []
            for message in self.messages.get(channel, []):
                if message.get("streaming") and message.get("thread_ts") == thread_ts \
                        and not message.get("stopped_by_user"):
                    message["stopped_by_user"], message["stopped_at"] = user, found.stop_clicks[-1]
                    stopped.append(message["ts"])
            return {"type": STOP_EVENT, "channel": channel, "thread_ts": thread_ts, "user": user,
                    "streaming_message_ts": stopped, "event_ts": new_ts()}

    def left_processing_after_stop(self) -> list[AgentSession]:
        """Sessions whose stop button was clicked and that are still processing: the app did not
        transition them, which Slack leaves to the app."""
        with self.lock:
            return [s for s in self.sessions.values() if s.stop_clicks and s.status == "processing"]

    # --- the Web API methods --------------------------------------------------------------------

    def m_agents_sessions_setStatus(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, thread_ts = self._session_place(p)
        status = self._session_status(p.get("status"), "status")
        title = p.get("title")
        if title is not None and (not isinstance(title, str) or len(title) > MAX_SESSION_TITLE):
            raise self._failure(f"title: at most {MAX_SESSION_TITLE} characters")
        found = self.sessions.get((channel, thread_ts))
        initiator = p.get("initiator_user_id")
        if found is None and initiator and not self.is_member(channel, str(initiator)):
            raise self._failure("initiator_user_id must be a member of the channel", error="user_not_in_channel")
        if found is None:  # title and initiator count only now
            found = AgentSession(channel, thread_ts, title or "", initiator)
            self.sessions[(channel, thread_ts)] = found
        found.statuses.append((time.monotonic(), status, "agents.sessions.setStatus"))
        reply: dict[str, Any] = {"status": found.status, "agent_status": found.status, "title": found.title}
        if not self._stop_subscribed():
            reply["warning"] = MISSING_STOP_SUBSCRIPTION
            reply["response_metadata"] = {
                "warnings": [MISSING_STOP_SUBSCRIPTION],
                "messages": [f"[WARN] subscribe to the {STOP_EVENT} event so users can stop your agent"]}
        return reply

    def m_agents_sessions_rename(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, thread_ts = self._session_place(p)
        title = p.get("title")
        if not isinstance(title, str) or not 1 <= len(title) <= MAX_SESSION_TITLE:
            raise self._failure(f"title: 1 to {MAX_SESSION_TITLE} characters")
        found = self.sessions.get((channel, thread_ts))
        if found is None:  # Slack's docs name no error for this; a bot must not rely on it working
            raise self._failure("no agent session in this thread", error="session_not_found")
        found.title = title
        found.renames.append(title)
        return {"title": title}

    def session_status_from_stream(self, message: dict[str, Any], value: Any) -> None:
        """chat.stopStream's `session_status`: the stream's thread's session takes that status."""
        if value is None:
            return
        status = self._session_status(value, "session_status")
        key = (str(message["channel"]), str(message.get("thread_ts")))
        found = self.sessions.get(key)
        if found is None:
            found = self.sessions[key] = AgentSession(*key, title="", initiator=None)
        found.statuses.append((time.monotonic(), status, "chat.stopStream"))

    # --- checks ----------------------------------------------------------------------------------

    def _stop_subscribed(self) -> bool:
        return self.bot_events is None or STOP_EVENT in self.bot_events

    def _session_place(self, p: dict[str, Any]) -> tuple[str, str]:
        """(channel, thread_ts) of a thread-based session; both are required (session channels,
        which take no thread_ts, are not part of this fake)."""
        if not p.get("channel_id"):
            raise self._failure("channel_id is required")
        if not p.get("thread_ts"):
            raise self._failure("thread_ts is required for a session in a thread")
        if not _TS.match(str(p["thread_ts"])):
            raise self._failure("thread_ts is not a message timestamp", error="invalid_thread_ts")
        channel, thread_ts = self._channel(p, "channel_id"), str(p["thread_ts"])
        root = self.find_message(channel, thread_ts)
        if root is None:
            raise self._failure("no message with this ts in the conversation", error="thread_not_found")
        if root.get("thread_ts") not in (None, thread_ts):
            raise self._failure("thread_ts names a reply; a session is scoped to the thread's root message "
                                f"({root['thread_ts']})", error="invalid_thread_ts")
        return channel, thread_ts

    def _session_status(self, value: Any, name: str) -> str:
        if value not in SESSION_STATUSES:
            raise self._failure(f"{name}: one of {', '.join(SESSION_STATUSES)}")
        return str(value)

    @staticmethod
    def _failure(message: str, *, error: str = "invalid_arguments") -> SlackApiFailure:
        return SlackApiFailure(error, response_metadata={"messages": [message]})
