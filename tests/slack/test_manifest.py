"""deploy/slack-manifest.yaml asks for exactly what the app uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from slack_sdk import WebClient

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yaml"

# Web API method (as the bot calls it) -> the bot scope Slack requires for it.
SCOPE_OF_METHOD = {
    "chat.postMessage": "chat:write", "chat.update": "chat:write", "chat.delete": "chat:write",
    "chat.startStream": "chat:write", "chat.appendStream": "chat:write", "chat.stopStream": "chat:write",
    "chat.stream": "chat:write",  # slack_sdk's ChatStream: the three methods above
    "reactions.add": "reactions:write", "reactions.remove": "reactions:write",
    "assistant.threads.setStatus": "assistant:write", "assistant.threads.setSuggestedPrompts": "assistant:write",
    "users.info": "users:read", "usergroups.users.list": "usergroups:read",
    "conversations.replies": {"channels:history", "groups:history", "mpim:history", "im:history"},
    "conversations.history": "im:history",
    "chat.postEphemeral": "chat:write", "chat.getPermalink": set(),  # getPermalink needs no scope
}
SCOPE_OF_EVENT = {"app_mention": "app_mentions:read", "message.im": "im:history",
                  "assistant_thread_started": "assistant:write",
                  # follow-ups in channel threads without a mention (issue 16)
                  "message.channels": "channels:history", "message.groups": "groups:history",
                  "message.mpim": "mpim:history"}


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_scopes_are_exactly_those_of_the_methods_events_and_commands_used():
    data = manifest()
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    needed = {"commands"}
    for scope in [*SCOPE_OF_METHOD.values(), *SCOPE_OF_EVENT.values()]:
        needed |= scope if isinstance(scope, set) else {scope}
    assert scopes == needed


def test_methods_the_bot_calls_all_have_their_scope():
    """Every WebClient method called in bot/slack is in the scope table above (a new call needs a look
    at the manifest)."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (MANIFEST.parents[1] / "bot" / "slack").glob("*.py")
                       if not p.name.startswith(("templates_", "admin_notice", "connection_check")))
    web_methods = {name for name in dir(WebClient) if not name.startswith("_") and "_" in name}
    called = {m for m in re.findall(r"\.(\w+)\(", source) if m in web_methods}
    api_methods = {m.replace("_", ".") for m in called}
    assert called and api_methods <= set(SCOPE_OF_METHOD), api_methods - set(SCOPE_OF_METHOD)


def test_events_commands_interactivity_and_socket_mode():
    data = manifest()
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == set(SCOPE_OF_EVENT)
    commands = {c["command"] for c in data["features"]["slash_commands"]}
    assert commands == {"/vraag", "/vraagbaak", "/brainstorm"}
    assert all(len(c["description"]) <= 100 for c in data["features"]["slash_commands"])
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is True
    assert data["features"]["app_home"]["messages_tab_enabled"] is True
    assert "assistant_view" in data["features"]
    assert [s["type"] for s in data["features"]["shortcuts"]] == ["global", "message", "message", "message"]


def test_message_shortcuts_in_the_manifest_are_those_the_app_listens_to():
    from bot.slack.listeners.curated_shortcut import SHORTCUT as CURATED_SHORTCUT
    from bot.slack.listeners.message_shortcuts import ASK_SHORTCUT, SUMMARY_SHORTCUT

    shortcuts = [s for s in manifest()["features"]["shortcuts"] if s["type"] == "message"]
    assert {s["callback_id"] for s in shortcuts} == {ASK_SHORTCUT, SUMMARY_SHORTCUT, CURATED_SHORTCUT}
    assert all(len(s["name"]) <= 24 and len(s["description"]) <= 150 for s in shortcuts)
