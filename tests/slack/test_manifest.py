"""deploy/slack-manifest.yaml asks for exactly what the app uses, and the app handles every event
it subscribes to (tests/slack/test_agent_view.py pushes each one and checks its acknowledgement)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from slack_sdk import WebClient

from bot.slack.features.greeting import SUGGESTED_PROMPTS

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "deploy" / "slack-manifest.yaml"
SLACK_CODE = REPO / "bot" / "slack"

# Web API method (as the bot calls it) -> the bot scope Slack requires for it (None: none).
SCOPE_OF_METHOD = {
    "chat.postMessage": "chat:write", "chat.update": "chat:write", "chat.delete": "chat:write",
    "chat.stream": "chat:write",  # slack_sdk's ChatStream: chat.startStream, appendStream, stopStream
    "chat.stopStream": "chat:write",  # ending a stream a dead replica left open (answer_flow/interrupted.py)
    "reactions.add": "reactions:write", "reactions.remove": "reactions:write",
    # setStatus: "accepts either the assistant:write or chat:write scope for the time being. Soon, this
    # method will only accept the chat:write scope" (docs.slack.dev/reference/methods/assistant.threads.setStatus)
    "assistant.threads.setStatus": "chat:write", "assistant.threads.setSuggestedPrompts": "assistant:write",
    # "The chat:write scope is required to manage thread-based sessions" (docs.slack.dev/ai/agent-sessions)
    "agents.sessions.setStatus": "chat:write",
    # users:read.email: the asker's e-mail address in profile.email, matched with source readers
    "users.info": {"users:read", "users:read.email"}, "usergroups.users.list": "usergroups:read",
    "conversations.replies": {"channels:history", "groups:history", "mpim:history", "im:history"},
    "conversations.members": {"channels:read", "groups:read", "mpim:read"},  # who may click an answer's buttons
    "views.publish": None, "auth.test": None,  # auth.test: who the bot is, for a question from the queue
    # the AI notice in a channel, links back to a thread, the curated-answer modal
    "chat.postEphemeral": "chat:write", "chat.getPermalink": None, "views.open": None,
}
# Subscribed event -> the scope it needs (None: none; app_context_changed needs agent_view instead).
SCOPE_OF_EVENT = {"app_mention": "app_mentions:read", "message.im": "im:history",
                  "app_home_opened": None, "app_context_changed": None, "agent_session_stopped": None,
                  # follow-ups in channel threads without a mention
                  "message.channels": "channels:history", "message.groups": "groups:history",
                  "message.mpim": "mpim:history"}
# Bolt `Assistant` decorators -> the event they listen to (the assistant view's events).
ASSISTANT_EVENTS = {"thread_started": "assistant_thread_started",
                    "thread_context_changed": "assistant_thread_context_changed"}


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def slack_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SLACK_CODE.rglob("*.py")
                     if not p.name.startswith(("templates_", "admin_notice", "connection_check")))


def scopes_of(table: dict) -> set[str]:
    needed: set[str] = set()
    for scope in table.values():
        needed |= scope if isinstance(scope, set) else {scope} if scope else set()
    return needed


def test_scopes_are_exactly_those_of_the_methods_events_and_commands_used():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == {"commands"} | scopes_of(SCOPE_OF_METHOD) | scopes_of(SCOPE_OF_EVENT)


def test_methods_the_bot_calls_all_have_their_scope_and_every_listed_method_is_called():
    """Every WebClient method called in bot/slack is in the scope table above (a new call needs a look
    at the manifest), and every method in the table is still called (no scope kept for nothing)."""
    web_methods = {name for name in dir(WebClient) if not name.startswith("_") and "_" in name}
    called = {m.replace("_", ".") for m in re.findall(r"\.(\w+)\b", slack_sources()) if m in web_methods}
    assert called == set(SCOPE_OF_METHOD), (called ^ set(SCOPE_OF_METHOD))


def test_every_subscribed_event_has_a_listener_and_needs_its_scope():
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert set(events) == set(SCOPE_OF_EVENT)
    source = slack_sources()
    listened = set(re.findall(r"""app\.event\(["']([\w.]+)["']\)""", source))
    listened |= {ASSISTANT_EVENTS[name] for name in re.findall(r"@assistant\.(\w+)", source)
                 if name in ASSISTANT_EVENTS}
    for event in events:
        assert event.split(".")[0] in listened, f"{event} is subscribed to but nothing listens to it"
    assert "re.compile(\".*\")" in (SLACK_CODE / "transport" / "app.py").read_text(), \
        "the rest is acknowledged by a catch-all"


def test_agent_view_home_tab_commands_interactivity_and_socket_mode():
    data = manifest()
    features = data["features"]
    assert "assistant_view" not in features, "agent_view is the default; deploy/SLACK.md explains the old view"
    assert features["agent_view"]["agent_description"].strip()
    assert features["agent_view"]["suggested_prompts"] == SUGGESTED_PROMPTS
    assert features["app_home"] == {"home_tab_enabled": True, "messages_tab_enabled": True,
                                    "messages_tab_read_only_enabled": False}
    commands = {c["command"] for c in features["slash_commands"]}
    assert commands == {"/vraag", "/vraagbaak", "/brainstorm"}
    assert all(len(c["description"]) <= 100 for c in features["slash_commands"])
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is True
    assert [s["type"] for s in features["shortcuts"]] == ["global", "message", "message", "message"]


def test_message_shortcuts_in_the_manifest_are_those_the_app_listens_to():
    from bot.slack.listeners.shortcuts.make_curated_answer import SHORTCUT as CURATED_SHORTCUT
    from bot.slack.listeners.shortcuts.ask_about_message import ASK_SHORTCUT
    from bot.slack.listeners.shortcuts.summarise_thread import SUMMARY_SHORTCUT

    shortcuts = [s for s in manifest()["features"]["shortcuts"] if s["type"] == "message"]
    assert {s["callback_id"] for s in shortcuts} == {ASK_SHORTCUT, SUMMARY_SHORTCUT, CURATED_SHORTCUT}
    assert all(len(s["name"]) <= 24 and len(s["description"]) <= 150 for s in shortcuts)


def test_slack_md_names_every_scope_and_both_messaging_experiences():
    text = (REPO / "deploy" / "SLACK.md").read_text(encoding="utf-8")
    for scope in manifest()["oauth_config"]["scopes"]["bot"]:
        assert f"`{scope}`" in text
    for word in ("agent_view", "assistant_view", "assistant_thread_started", "assistant_thread_context_changed",
                 "app_context_changed", "app_home_opened"):
        assert word in text
