"""Realistic Slack payloads (Events API, slash commands, interactivity) and Socket Mode envelopes.

Shapes follow Slack's documentation: an Events API body is an `event_callback` wrapping the event;
Socket Mode wraps every payload in an envelope with an `envelope_id` the app must acknowledge.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

TEAM_ID = "T0VRAAGBAAK"
API_APP_ID = "A0VRAAGBAAK"

_counter = itertools.count(1)


def new_ts() -> str:
    """A Slack message timestamp: seconds, a dot, six digits; unique and increasing in this process."""
    return f"{int(time.time())}.{next(_counter):06d}"


def new_event_id() -> str:
    return "Ev" + uuid.uuid4().hex[:10].upper()


def new_trigger_id() -> str:
    return f"{int(time.time())}.{next(_counter)}.{uuid.uuid4().hex[:16]}"


# --- Events API ----------------------------------------------------------------------------------

def event_callback(event: dict[str, Any], *, event_id: str | None = None,
                   team_id: str = TEAM_ID, api_app_id: str = API_APP_ID,
                   authorized_user: str = "UBOT") -> dict[str, Any]:
    """The Events API body around one event (what HTTP mode posts and Socket Mode wraps)."""
    return {
        "token": "verification-token-unused",
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": authorized_user,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": "4-" + uuid.uuid4().hex,
    }


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]


def app_mention(text: str, *, user: str, channel: str, ts: str | None = None,
                thread_ts: str | None = None, team_id: str = TEAM_ID) -> dict[str, Any]:
    """An `app_mention` event; `text` should contain the bot's mention, e.g. `<@UBOT> vraag`."""
    event = {
        "type": "app_mention", "user": user, "text": text, "ts": ts or new_ts(),
        "client_msg_id": str(uuid.uuid4()), "team": team_id, "channel": channel,
        "event_ts": "", "blocks": _rich_text(text),
    }
    event["event_ts"] = event["ts"]
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(text: str, *, user: str | None, channel: str, channel_type: str = "im",
            ts: str | None = None, thread_ts: str | None = None, subtype: str | None = None,
            bot_id: str | None = None, team_id: str = TEAM_ID, **extra: Any) -> dict[str, Any]:
    """A `message` event (message.im when channel_type is "im"), optionally with a subtype or bot_id."""
    ts = ts or new_ts()
    event: dict[str, Any] = {"type": "message", "text": text, "ts": ts, "event_ts": ts,
                             "channel": channel, "channel_type": channel_type, "team": team_id}
    if user is not None:
        event["user"] = user
    if subtype is None and bot_id is None:
        event["client_msg_id"] = str(uuid.uuid4())
        event["blocks"] = _rich_text(text)
    if thread_ts:
        event["thread_ts"] = thread_ts
    if subtype:
        event["subtype"] = subtype
    if bot_id:
        event["bot_id"] = bot_id
    event.update(extra)
    return event


def message_changed(*, channel: str, ts: str, new_text: str, user: str,
                    channel_type: str = "im") -> dict[str, Any]:
    """An edit: Slack sends a `message` event with subtype `message_changed`."""
    now = new_ts()
    return {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
            "channel_type": channel_type, "ts": now, "event_ts": now,
            "message": {"type": "message", "user": user, "text": new_text, "ts": ts,
                        "edited": {"user": user, "ts": now}},
            "previous_message": {"type": "message", "user": user, "text": "…", "ts": ts}}


def assistant_thread_started(*, user: str, channel: str, thread_ts: str | None = None,
                             context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The user opened a new thread in the app's assistant container."""
    ts = new_ts()
    return {"type": "assistant_thread_started", "event_ts": ts,
            "assistant_thread": {"user_id": user, "context": context or {}, "channel_id": channel,
                                 "thread_ts": thread_ts or ts}}


def assistant_thread_context_changed(*, user: str, channel: str, thread_ts: str,
                                     viewing: str | None, team_id: str = TEAM_ID) -> dict[str, Any]:
    """Assistant view: the user opened another channel (`viewing`) while the container was open."""
    context = {"channel_id": viewing, "team_id": team_id, "enterprise_id": None} if viewing else {}
    return {"type": "assistant_thread_context_changed", "event_ts": new_ts(),
            "assistant_thread": {"user_id": user, "context": context, "channel_id": channel,
                                 "thread_ts": thread_ts}}


def app_home_opened(*, user: str, channel: str, tab: str = "home",
                    view: dict[str, Any] | None = None) -> dict[str, Any]:
    """The user opened the app's Home tab (`tab` "home", with the `view` published before, if any)
    or its Messages tab (`tab` "messages": the agent view's DM-open signal)."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user, "channel": channel, "tab": tab,
                             "event_ts": new_ts()}
    if tab == "home" and view is not None:
        event["view"] = view
    return event


def app_context_changed(*, user: str, channel: str, viewing: str | None = None,
                        message_ts: str | None = None, team_id: str = TEAM_ID) -> dict[str, Any]:
    """Agent view: what the user looks at while the app is open (`viewing`: a channel; with
    `message_ts`, a message in it). No `viewing`: an empty context."""
    entities: list[dict[str, Any]] = []
    if viewing and message_ts:
        entities.append({"type": "slack#/types/message_context", "team_id": team_id,
                         "value": {"channel_id": viewing, "message_ts": message_ts}})
    elif viewing:
        entities.append({"type": "slack#/types/channel_id", "value": viewing, "team_id": team_id})
    return {"type": "app_context_changed", "user": user, "channel": channel,
            "context": {"entities": entities} if entities else {}, "event_ts": new_ts()}


# --- slash commands and interactivity ------------------------------------------------------------

def slash_command(command: str, text: str, *, user: str, channel: str, response_url: str,
                  channel_name: str = "algemeen", team_id: str = TEAM_ID,
                  api_app_id: str = API_APP_ID) -> dict[str, str]:
    """The form fields of a slash command invocation (Socket Mode sends them as a JSON object)."""
    return {
        "token": "verification-token-unused", "team_id": team_id, "team_domain": "vraagbaak-test",
        "channel_id": channel, "channel_name": channel_name, "user_id": user,
        "user_name": user.lower(), "command": command, "text": text, "api_app_id": api_app_id,
        "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": new_trigger_id(),
    }


def block_actions(action: dict[str, Any], *, user: str, channel: str, response_url: str,
                  message: dict[str, Any] | None = None, container: dict[str, Any] | None = None,
                  team_id: str = TEAM_ID, api_app_id: str = API_APP_ID) -> dict[str, Any]:
    """A click on an interactive element; `action` is e.g. {"action_id", "block_id", "value", "type"}."""
    action = {"type": "button", "block_id": "b", "action_ts": str(time.time()), **action}
    ts = (message or {}).get("ts", new_ts())
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id, "token": "verification-token-unused",
        "container": container or {"type": "message", "message_ts": ts, "channel_id": channel,
                                   "is_ephemeral": message is None},
        "trigger_id": new_trigger_id(),
        "team": {"id": team_id, "domain": "vraagbaak-test"},
        "enterprise": None, "is_enterprise_install": False,
        "channel": {"id": channel, "name": "algemeen"},
        "response_url": response_url,
        "actions": [action],
        "state": {"values": {}},
    }
    if message is not None:
        payload["message"] = message
    return payload


def home_block_actions(action: dict[str, Any], *, user: str, view: dict[str, Any],
                       team_id: str = TEAM_ID, api_app_id: str = API_APP_ID) -> dict[str, Any]:
    """A click on an element of a user's Home tab (`view`: as views.publish stored it)."""
    action = {"type": "button", "block_id": "b", "action_ts": str(time.time()), **action}
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id, "token": "verification-token-unused",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": new_trigger_id(), "team": {"id": team_id, "domain": "vraagbaak-test"},
        "enterprise": None, "is_enterprise_install": False, "view": view, "actions": [action],
        "state": {"values": {}},
    }


def view_submission(view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str,
                    team_id: str = TEAM_ID, api_app_id: str = API_APP_ID) -> dict[str, Any]:
    """A modal's submit: `values` is state.values, {block_id: {action_id: {"type", "value"…}}}."""
    submitted = {**view, "state": {"values": values}}
    submitted.setdefault("id", "V" + uuid.uuid4().hex[:10].upper())
    return {
        "type": "view_submission", "team": {"id": team_id, "domain": "vraagbaak-test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": api_app_id, "token": "verification-token-unused",
        "trigger_id": new_trigger_id(), "view": submitted, "response_urls": [],
        "is_enterprise_install": False, "enterprise": None,
    }


def shortcut(callback_id: str, *, user: str, team_id: str = TEAM_ID) -> dict[str, Any]:
    """A global shortcut invocation."""
    return {"type": "shortcut", "token": "verification-token-unused", "action_ts": str(time.time()),
            "team": {"id": team_id, "domain": "vraagbaak-test"},
            "user": {"id": user, "username": user.lower(), "team_id": team_id},
            "is_enterprise_install": False, "enterprise": None,
            "callback_id": callback_id, "trigger_id": new_trigger_id()}


# --- Socket Mode envelopes -----------------------------------------------------------------------

def envelope(kind: str, payload: dict[str, Any], *, envelope_id: str | None = None,
             retry_attempt: int | None = None, retry_reason: str = "") -> dict[str, Any]:
    """A Socket Mode envelope: kind is events_api, slash_commands or interactive."""
    result: dict[str, Any] = {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "payload": payload,
        "type": kind,
        "accepts_response_payload": kind != "events_api",
    }
    if kind == "events_api":
        result["retry_attempt"] = retry_attempt or 0
        result["retry_reason"] = retry_reason
    return result


def hello(app_id: str = API_APP_ID, num_connections: int = 1) -> dict[str, Any]:
    return {"type": "hello", "num_connections": num_connections,
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": app_id}}


def disconnect(reason: str = "refresh_requested") -> dict[str, Any]:
    return {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}


def message_shortcut(callback_id: str, *, user: str, channel: str, message: dict[str, Any],
                     response_url: str, team_id: str = TEAM_ID) -> dict[str, Any]:
    """A message shortcut (the ⋮ menu of a message): `message_action`, with the message and a response_url."""
    return {"type": "message_action", "token": "verification-token-unused", "action_ts": str(time.time()),
            "team": {"id": team_id, "domain": "vraagbaak-test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
            "channel": {"id": channel, "name": "algemeen"},
            "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id,
            "trigger_id": new_trigger_id(), "response_url": response_url,
            "message_ts": message.get("ts"), "message": message}
