"""The Slack workspace behind the fake Web API: users, messages, views, and how each method answers.

Methods answer with Slack's own shapes (`{"ok": true, …}` or `{"ok": false, "error": "…"}`) and
enforce the limits the bot must respect (50 blocks a message, 100 a view, 3,000 characters a section
text, 12,000 characters of `markdown` blocks a message, the shape of feedback buttons, the arguments
and chunks of chat streaming), so a bot that breaks them fails here as it would on Slack. `messaging`
says which AI experience the app has: "agent" (the manifest's agent_view, the default) or "assistant"
(the older assistant_view), which differ in how suggested prompts are set. `bot_events` are the
events the app subscribes to (None: all; `install()` reads them from an app manifest); agent
sessions (sessions.py) depend on one of them.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.fakes.slack.failures import SlackApiFailure
from tests.fakes.slack.payloads import API_APP_ID, TEAM_ID, new_ts
from tests.fakes.slack.sessions import AgentSessions

JSON_FIELDS = {"blocks", "attachments", "view", "prompts", "chunks", "metadata", "users"}
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100  # a modal or Home tab view
MAX_SECTION_TEXT = 3000
MAX_TEXT = 40000
MAX_MARKDOWN = 12000  # a markdown block's text, all markdown blocks of one message, markdown_text per call
MAX_CONTEXT_ACTIONS = 5
MAX_FEEDBACK_TEXT = 75
MAX_VALUE = 2000
MAX_ACTION_ID = 255
TASK_STATUSES = {"pending", "in_progress", "complete", "error"}
TASK_DISPLAY_MODES = {"timeline", "plan"}
STREAM_RECORD = ("stream", "tasks", "plan_title", "appends")


@dataclass
class SlackUser:
    id: str
    name: str
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    email: str = ""  # in profile.email, as Slack gives it to an app with users:read.email

    def as_payload(self, team_id: str) -> dict[str, Any]:
        profile: dict[str, Any] = {"real_name": self.name.title(), "display_name": self.name}
        if self.email:
            profile["email"] = self.email
        return {"id": self.id, "team_id": team_id, "name": self.name, "real_name": self.name.title(),
                "deleted": False, "is_admin": self.is_admin, "is_owner": self.is_owner,
                "is_primary_owner": False, "is_restricted": False, "is_ultra_restricted": False,
                "is_bot": self.is_bot, "is_app_user": False, "tz": "Europe/Amsterdam",
                "profile": profile}


@dataclass
class Fault:
    """An injected failure: the next `times` calls of `method` get it instead of an answer."""

    method: str
    status: int = 429
    error: str = "ratelimited"
    retry_after: int | None = 1
    times: int = 1


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _require(params: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if not params.get(k)]
    if missing:
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": [f"missing {missing}"]})


def _invalid_chunks(message: str) -> SlackApiFailure:
    return SlackApiFailure("invalid_chunks", response_metadata={"messages": [message]})


def check_chunks(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The streaming chunks of a call, checked as Slack checks them (markdown_text given as an argument
    counts as a markdown chunk); returns them in order."""
    chunks = params.get("chunks")
    if chunks is None:
        chunks = []
    if not isinstance(chunks, list):
        raise _invalid_chunks("chunks must be an array")
    markdown = params.get("markdown_text")
    if markdown is not None and not isinstance(markdown, str):
        raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["markdown_text: string"]})
    if markdown and len(markdown) > MAX_MARKDOWN:
        raise SlackApiFailure("msg_too_long")
    for i, chunk in enumerate(chunks):
        kind = chunk.get("type") if isinstance(chunk, dict) else None
        if kind == "markdown_text":
            if not isinstance(chunk.get("text"), str) or not chunk["text"]:
                raise _invalid_chunks(f"chunks[{i}]: markdown_text needs text")
            if len(chunk["text"]) > MAX_MARKDOWN:
                raise SlackApiFailure("msg_too_long")
        elif kind == "task_update":
            if not (chunk.get("id") and isinstance(chunk.get("title"), str) and chunk["title"]):
                raise _invalid_chunks(f"chunks[{i}]: task_update needs id and title")
            if chunk.get("status") not in TASK_STATUSES:
                raise _invalid_chunks(f"chunks[{i}]: status must be one of {sorted(TASK_STATUSES)}")
            for source in chunk.get("sources") or []:
                if not (isinstance(source, dict) and source.get("type") == "url" and
                        str(source.get("url", "")).startswith(("http://", "https://")) and source.get("text")):
                    raise _invalid_chunks(f"chunks[{i}]: a source is {{type: url, url, text}}")
        elif kind == "plan_update":
            if not (isinstance(chunk.get("title"), str) and chunk["title"]):
                raise _invalid_chunks(f"chunks[{i}]: plan_update needs a title")
        elif kind == "blocks":
            check_blocks(chunk.get("blocks"))
        else:
            raise _invalid_chunks(f"chunks[{i}]: unknown chunk type {kind!r}")
    return ([{"type": "markdown_text", "text": markdown}] if markdown else []) + list(chunks)


def _invalid_blocks(message: str) -> SlackApiFailure:
    return SlackApiFailure("invalid_blocks", errors=[message])


def _check_plain_text(text: Any, limit: int, where: str) -> None:
    if not (isinstance(text, dict) and text.get("type") == "plain_text" and isinstance(text.get("text"), str)
            and text["text"]):
        raise _invalid_blocks(f"{where}: must be a plain_text object")
    if len(text["text"]) > limit:
        raise _invalid_blocks(f"{where}: must be less than {limit + 1} characters")


def _check_context_actions(block: dict[str, Any], i: int) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ACTIONS:
        raise _invalid_blocks(f"context_actions: 1 to {MAX_CONTEXT_ACTIONS} elements [json-pointer:/blocks/{i}]")
    for j, element in enumerate(elements):
        where = f"/blocks/{i}/elements/{j}"
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in {"feedback_buttons", "icon_button"}:
            raise _invalid_blocks(f"context_actions takes feedback_buttons and icon_button, not {kind!r} {where}")
        if len(str(element.get("action_id", ""))) > MAX_ACTION_ID:
            raise _invalid_blocks(f"{where}/action_id: too long")
        if kind == "feedback_buttons":
            for side in ("positive_button", "negative_button"):
                button = element.get(side)
                if not isinstance(button, dict):
                    raise _invalid_blocks(f"{where}/{side}: required")
                _check_plain_text(button.get("text"), MAX_FEEDBACK_TEXT, f"{where}/{side}/text")
                if not isinstance(button.get("value"), str) or not button["value"] or \
                        len(button["value"]) > MAX_VALUE:
                    raise _invalid_blocks(f"{where}/{side}/value: 1 to {MAX_VALUE} characters")


def check_blocks(blocks: Any, limit: int = MAX_BLOCKS) -> None:
    """Slack's limits on a message's blocks: at most 50; section texts at most 3,000 characters;
    markdown blocks at most 12,000 characters, all of them together too; context_actions with at
    most five feedback or icon buttons, feedback buttons with both buttons' text and value.
    `limit`: 50 blocks a message, 100 a view."""
    if blocks is None:
        return
    if not isinstance(blocks, list):
        raise SlackApiFailure("invalid_blocks_format")
    if len(blocks) > limit:
        raise _invalid_blocks(f"must provide no more than {limit} items")
    markdown = 0
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or "type" not in block:
            raise _invalid_blocks(f"block {i} has no type")
        if block["type"] == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not text:
                raise _invalid_blocks(f"markdown: text is a non-empty string [json-pointer:/blocks/{i}/text]")
            if len(text) > MAX_MARKDOWN:
                raise _invalid_blocks(f"must be less than {MAX_MARKDOWN + 1} characters "
                                      f"[json-pointer:/blocks/{i}/text]")
            markdown += len(text)
            if markdown > MAX_MARKDOWN:
                raise _invalid_blocks(f"the markdown blocks of a message hold at most {MAX_MARKDOWN} characters")
            continue
        texts = [block.get("text")] + list(block.get("fields") or [])
        for text in texts:
            if isinstance(text, dict) and len(str(text.get("text", ""))) > MAX_SECTION_TEXT:
                raise _invalid_blocks(f"must be less than {MAX_SECTION_TEXT + 1} characters "
                                      f"[json-pointer:/blocks/{i}/text]")
        if block["type"] == "context" and len(block.get("elements") or []) > 10:
            raise _invalid_blocks("context: no more than 10 elements")
        if block["type"] == "actions" and len(block.get("elements") or []) > 25:
            raise _invalid_blocks("actions: no more than 25 elements")
        if block["type"] == "context_actions":
            _check_context_actions(block, i)


class Workspace(AgentSessions):
    """One team with a bot user; the state every Web API method reads and writes (thread-safe)."""

    def __init__(self, *, bot_token: str, app_token: str, bot_user_id: str = "UBOT",
                 bot_id: str = "BBOT", team_id: str = TEAM_ID, app_id: str = API_APP_ID) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.bot_user_id, self.bot_id, self.team_id, self.app_id = bot_user_id, bot_id, team_id, app_id
        self.lock = threading.RLock()
        self.users: dict[str, SlackUser] = {bot_user_id: SlackUser(bot_user_id, "vraagbaak", is_bot=True)}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.reactions: dict[tuple[str, str], set[str]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}  # user id -> their published Home tab
        self.messaging = "agent"  # or "assistant": the app's AI experience (manifest agent_view / assistant_view)
        self.assistant_status: dict[tuple[str, str], str] = {}
        # (channel, thread_ts or None) -> {"title", "prompts"}: what Slack shows (None: pinned to the tab)
        self.suggested_prompts: dict[tuple[str, str | None], dict[str, Any]] = {}
        self.not_in_channel: set[str] = set()
        self.usergroups: dict[str, list[str]] = {}  # user group id (S…) -> its members' user ids
        # channel id -> its members' user ids; a channel not listed has every user of the workspace
        self.channel_members: dict[str, list[str]] = {}
        self.disabled_methods: set[str] = set()
        self.faults: list[Fault] = []
        self.socket_url: Callable[[], str] = lambda: ""
        self.bot_events: set[str] | None = None  # the app's event subscriptions; None: every event
        self._ids = itertools.count(1)
        self._init_sessions()

    # --- set-up helpers used by tests ----------------------------------------------------------

    def add_user(self, user_id: str, name: str = "", *, email: str = "", **flags: bool) -> SlackUser:
        with self.lock:
            user = SlackUser(user_id, name or user_id.lower(), email=email, **flags)
            self.users[user_id] = user
            return user

    def install(self, manifest: dict[str, Any]) -> None:
        """The app as this manifest describes it: its bot event subscriptions and AI experience."""
        with self.lock:
            settings = manifest.get("settings") or {}
            self.bot_events = set((settings.get("event_subscriptions") or {}).get("bot_events") or [])
            features = manifest.get("features") or {}
            self.messaging = "assistant" if "assistant_view" in features and "agent_view" not in features else "agent"

    def store_message(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.messages.setdefault(channel, []).append(message)
            return message

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        with self.lock:
            msgs = [m for m in self.messages.get(channel, [])
                    if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]
            return sorted(msgs, key=lambda m: float(m["ts"]))

    # --- dispatch --------------------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any], token: str) -> Reply:
        """What Slack would answer to `method` called with `params` and `token`."""
        with self.lock:
            fault = next((f for f in self.faults if f.method == method and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                return Reply(fault.status, {"ok": False, "error": fault.error}, headers)
            handler = getattr(self, "m_" + method.replace(".", "_"), None)
            if handler is None or method in self.disabled_methods:
                return Reply(200, {"ok": False, "error": "unknown_method", "req_method": method})
            auth_error = self._check_token(method, token)
            if auth_error:
                return Reply(200, {"ok": False, "error": auth_error})
            try:
                body = handler(params)
            except SlackApiFailure as exc:
                return Reply(200, {"ok": False, "error": exc.error, **exc.extra})
            except KeyError as exc:
                return Reply(200, {"ok": False, "error": "invalid_arguments",
                                   "response_metadata": {"messages": [f"missing {exc}"]}})
            return Reply(200, {"ok": True, **body})

    def _check_token(self, method: str, token: str) -> str:
        if not token:
            return "not_authed"
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        return "" if token == expected else "invalid_auth"

    @staticmethod
    def normalise(params: dict[str, Any]) -> dict[str, Any]:
        """Form-encoded calls carry JSON-valued fields as strings; decode them like Slack does."""
        result = dict(params)
        for key in JSON_FIELDS & set(result):
            if isinstance(result[key], str) and result[key][:1] in "[{":
                try:
                    result[key] = json.loads(result[key])
                except ValueError:
                    pass
        return result

    # --- chat -------------------------------------------------------------------------------------

    def _channel(self, params: dict[str, Any], key: str = "channel") -> str:
        channel = str(params[key])
        if channel.startswith("U"):  # posting to a user id posts into the DM with that user
            channel = "D" + channel[1:]
        if channel in self.not_in_channel:
            raise SlackApiFailure("not_in_channel")
        return channel

    def _bot_message(self, channel: str, params: dict[str, Any], ts: str | None = None) -> dict[str, Any]:
        text = str(params.get("text") or "")
        blocks = params.get("blocks")
        if not text and not blocks:
            raise SlackApiFailure("no_text")
        if len(text) > MAX_TEXT:
            raise SlackApiFailure("msg_too_long")
        check_blocks(blocks)
        message = {"type": "message", "subtype": "bot_message", "text": text, "user": self.bot_user_id,
                   "bot_id": self.bot_id, "app_id": self.app_id, "team": self.team_id,
                   "ts": ts or new_ts(), "channel": channel}
        if blocks:
            message["blocks"] = blocks
        if params.get("thread_ts"):
            message["thread_ts"] = str(params["thread_ts"])
        return message

    def m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        message = self.store_message(channel, self._bot_message(channel, p))
        return {"channel": channel, "ts": message["ts"], "message": dict(message)}

    def m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        message = self.find_message(channel, str(p["ts"]))
        if message is None:
            raise SlackApiFailure("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise SlackApiFailure("cant_update_message")
        updated = self._bot_message(channel, {**p, "thread_ts": message.get("thread_ts")}, message["ts"])
        kept = {k: message[k] for k in STREAM_RECORD if k in message}  # a streamed message keeps its record
        message.clear()
        message.update(updated, **kept)
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": dict(message)}

    def m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        message = self._bot_message(channel, p)
        message["ephemeral_user"] = str(p["user"])
        self.ephemerals.append(message)
        return {"message_ts": message["ts"]}

    def m_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        message = self.find_message(channel, str(p["ts"]))
        if message is None:
            raise SlackApiFailure("message_not_found")
        self.messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def m_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["message_ts"])
        return {"channel": channel,
                "permalink": f"https://vraagbaak-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"}

    # --- chat streaming ---------------------------------------------------------------------------
    # A streamed message records every chunk with the time it arrived (`message["stream"]`), so a test
    # can tell what the user saw before what; `text` is the markdown so far, `tasks` the latest state
    # of each task, `plan_title` the plan's title.

    def m_chat_startStream(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if not p.get("thread_ts"):
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["thread_ts required"]})
        if not channel.startswith("D") and not (p.get("recipient_user_id") and p.get("recipient_team_id")):
            raise SlackApiFailure("invalid_arguments", response_metadata={
                "messages": ["recipient_user_id and recipient_team_id are required in channels"]})
        if p.get("task_display_mode") is not None and p["task_display_mode"] not in TASK_DISPLAY_MODES:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["task_display_mode"]})
        chunks = check_chunks(p)
        message = {"type": "message", "text": "", "user": self.bot_user_id,
                   "bot_id": self.bot_id, "app_id": self.app_id, "ts": new_ts(), "channel": channel,
                   "thread_ts": str(p["thread_ts"]), "streaming": True, "appends": 0,
                   "recipient_user_id": p.get("recipient_user_id"),
                   "recipient_team_id": p.get("recipient_team_id"),
                   "task_display_mode": p.get("task_display_mode") or "timeline",
                   "stream": [], "tasks": {}, "plan_title": None}
        self._add_chunks(message, "chat.startStream", chunks)
        self.store_message(channel, message)
        return {"channel": channel, "ts": message["ts"]}

    def _streaming_message(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        message = self.find_message(channel, str(p["ts"]))
        if message is None:
            raise SlackApiFailure("message_not_found")
        if not message.get("streaming"):
            raise SlackApiFailure("message_not_in_streaming_state")
        return message

    @staticmethod
    def _add_chunks(message: dict[str, Any], method: str, chunks: list[dict[str, Any]]) -> None:
        at = time.monotonic()
        for chunk in chunks:
            message["stream"].append({"at": at, "method": method, "chunk": chunk})
            if chunk["type"] == "markdown_text":
                message["text"] += chunk["text"]
            elif chunk["type"] == "task_update":
                message["tasks"][chunk["id"]] = chunk
            elif chunk["type"] == "plan_update":
                message["plan_title"] = chunk["title"]

    def m_chat_appendStream(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._streaming_message(p)
        if message.get("stopped_by_user"):  # the user clicked stop: Slack stopped it (sessions.py)
            raise SlackApiFailure("message_not_in_streaming_state")
        chunks = check_chunks(p)
        if not chunks:
            raise SlackApiFailure("no_text")
        self._add_chunks(message, "chat.appendStream", chunks)
        message["appends"] += 1
        return {"channel": message["channel"], "ts": message["ts"]}

    def m_chat_stopStream(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._streaming_message(p)
        chunks = check_chunks(p)
        check_blocks(p.get("blocks"))  # 50 of its own, apart from blocks sent in chunks
        self.session_status_from_stream(message, p.get("session_status"))
        self._add_chunks(message, "chat.stopStream", chunks)
        if p.get("blocks"):
            message["blocks"] = p["blocks"]  # rendered under the streamed text
        message["streaming"] = False
        return {"channel": message["channel"], "ts": message["ts"], "message": dict(message)}

    def streamed_messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages of `channel` that were streamed, in order."""
        with self.lock:
            return [m for m in self.messages.get(channel, []) if "stream" in m]

    # --- reactions, assistant ---------------------------------------------------------------------

    def m_reactions_add(self, p: dict[str, Any]) -> dict[str, Any]:
        names = self.reactions.setdefault((str(p["channel"]), str(p["timestamp"])), set())
        if p["name"] in names:
            raise SlackApiFailure("already_reacted")
        names.add(str(p["name"]))
        return {}

    def m_reactions_remove(self, p: dict[str, Any]) -> dict[str, Any]:
        names = self.reactions.get((str(p["channel"]), str(p["timestamp"])), set())
        if p["name"] not in names:
            raise SlackApiFailure("no_reaction")
        names.discard(str(p["name"]))
        return {}

    def m_assistant_threads_setStatus(self, p: dict[str, Any]) -> dict[str, Any]:
        _require(p, "channel_id", "thread_ts")
        if "status" not in p:  # "" clears the status
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["missing ['status']"]})
        self.assistant_status[(str(p["channel_id"]), str(p["thread_ts"]))] = str(p["status"])
        return {}

    def m_assistant_threads_setSuggestedPrompts(self, p: dict[str, Any]) -> dict[str, Any]:
        """Agent view: without thread_ts the prompts are pinned to the Messages tab; a call with one
        "silently fails" (ok, nothing shown). Assistant view: per thread, thread_ts required."""
        _require(p, "channel_id")
        prompts = p.get("prompts")
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= 4:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["1 to 4 prompts"]})
        if any(not (isinstance(x, dict) and x.get("title") and x.get("message")) for x in prompts):
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["title and message"]})
        thread_ts = str(p["thread_ts"]) if p.get("thread_ts") else None
        if self.messaging == "assistant" and thread_ts is None:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["missing ['thread_ts']"]})
        if self.messaging == "agent" and thread_ts is not None:
            return {}  # Slack's docs: "will cause the call to silently fail"
        self.suggested_prompts[(str(p["channel_id"]), thread_ts)] = {"title": p.get("title"), "prompts": prompts}
        return {}

    def m_assistant_threads_setTitle(self, p: dict[str, Any]) -> dict[str, Any]:
        _require(p, "channel_id", "thread_ts", "title")
        return {}

    # --- users, conversations ---------------------------------------------------------------------

    def m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(p["user"]))
        if user is None:
            raise SlackApiFailure("user_not_found")
        return {"user": user.as_payload(self.team_id)}

    def m_usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        group = str(p["usergroup"])
        if group not in self.usergroups:
            raise SlackApiFailure("no_such_subteam")
        return {"users": list(self.usergroups[group])}

    def m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p["channel"]), str(p["ts"])
        messages = self.thread(channel, ts)
        if not messages:
            raise SlackApiFailure("thread_not_found")
        limit = int(p.get("limit") or 1000)
        return {"messages": [dict(m) for m in messages[:limit]], "has_more": len(messages) > limit,
                "response_metadata": {"next_cursor": ""}}

    def m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p["channel"])
        latest = float(p.get("latest") or "inf")
        oldest = float(p.get("oldest") or 0)
        top = [m for m in self.messages.get(channel, []) if m.get("thread_ts") in (None, m["ts"])
               and oldest < float(m["ts"]) < latest]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(p.get("limit") or 100)
        return {"messages": [dict(m) for m in top[:limit]], "has_more": len(top) > limit,
                "response_metadata": {"next_cursor": ""}}

    def members_of(self, channel: str) -> list[str]:
        """A DM's members are its person (D + their id without U) and the bot; a channel's are
        `channel_members`, or every user of the workspace when it is not listed there."""
        with self.lock:
            if channel.startswith("D"):
                return [f"U{channel[1:]}", self.bot_user_id]
            if channel in self.channel_members:
                return list(self.channel_members[channel])
            return list(self.users)

    def is_member(self, channel: str, user: str) -> bool:
        return user in self.members_of(channel)

    def m_conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        """A conversation's members, a page (`limit`, default 100, at most 1000) at a time: the
        cursor is the offset."""
        channel = self._channel(p, "channel")
        members = self.members_of(channel)
        limit = min(int(p.get("limit") or 100), 1000)
        start = int(p.get("cursor") or 0)
        page, rest = members[start:start + limit], members[start + limit:]
        return {"members": page, "response_metadata": {"next_cursor": str(start + limit) if rest else ""}}

    def m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = p["users"]
        first = (users.split(",") if isinstance(users, str) else list(users))[0]
        return {"channel": {"id": "D" + first[1:]}}

    def m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://vraagbaak-test.slack.com/", "team": "Vraagbaak Test",
                "user": "vraagbaak", "team_id": self.team_id, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

    def m_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_url()}

    # --- views -------------------------------------------------------------------------------------

    def _store_view(self, view: Any, view_id: str | None = None, *, kinds: frozenset[str] = frozenset({"modal"})
                    ) -> dict[str, Any]:
        if not isinstance(view, dict) or view.get("type") not in kinds:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["view.type"]})
        check_blocks(view.get("blocks"), MAX_VIEW_BLOCKS)
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "team_id": self.team_id, "app_id": self.app_id,
                  "hash": uuid.uuid4().hex[:12], "state": {"values": {}}, "bot_id": self.bot_id}
        self.views[view_id] = stored
        return {"view": dict(stored)}

    def m_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        _require(p, "trigger_id")
        return self._store_view(p["view"])

    def m_views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        _require(p, "trigger_id")
        return self._store_view(p["view"])

    def m_views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id = p.get("view_id")
        if not view_id and p.get("external_id"):
            view_id = next((k for k, v in self.views.items() if v.get("external_id") == p["external_id"]), None)
        if not view_id or view_id not in self.views:
            raise SlackApiFailure("not_found")
        return self._store_view(p["view"], view_id)


    def m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        """A user's Home tab: user_id required (a known user), view.type "home", at most 100 blocks;
        `hash` (when given) must be that of the view published last, as Slack checks."""
        _require(p, "user_id")
        user = str(p["user_id"])
        if user not in self.users:
            raise SlackApiFailure("user_not_found")
        previous = self.home_views.get(user)
        if p.get("hash") and (previous is None or previous["hash"] != p["hash"]):
            raise SlackApiFailure("hash_conflict")
        stored = self._store_view(p["view"], previous["id"] if previous else None, kinds=frozenset({"home"}))["view"]
        self.home_views[user] = stored
        return {"view": dict(stored)}
