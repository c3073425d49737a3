"""A private answer shared where it was asked: in the channel ("Deel in kanaal", /vraag) or in the
thread of the message a shortcut was used on ("Deel in thread")."""

from __future__ import annotations

import json
from typing import Any, Callable

from bot.slack.ui.blocks import ACTION_SHARE

ACTION_SHARE_IN_THREAD = "vraag_deel_in_thread"
# Slack's errors for a conversation Vraagbaak may not read or post in.
NOT_READABLE_ERRORS = {"not_in_channel", "channel_not_found", "thread_not_found", "missing_scope", "access_denied"}


def with_thread_share(respond: Callable[..., Any], channel: str, thread_ts: str) -> Callable[..., Any]:
    """`respond`, with the private answer's "Deel in kanaal" turned into "Deel in thread" (of the message)."""
    def send(**message: Any) -> Any:
        if message.get("blocks"):
            message["blocks"] = [_thread_share_block(b, channel, thread_ts) for b in message["blocks"]]
        return respond(**message)
    return send


def _thread_share_block(block: dict[str, Any], channel: str, thread_ts: str) -> dict[str, Any]:
    if block.get("type") != "actions":
        return block
    elements = []
    for element in block.get("elements") or []:
        if element.get("action_id") == ACTION_SHARE:
            value = json.dumps({"answer": element.get("value"), "channel": channel, "thread_ts": thread_ts})
            element = {**element, "action_id": ACTION_SHARE_IN_THREAD, "value": value,
                       "text": {"type": "plain_text", "text": "Deel in thread", "emoji": True}}
        elements.append(element)
    return {**block, "elements": elements}
