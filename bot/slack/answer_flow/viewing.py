"""What each person is looking at in Slack while the app is open next to it: the channel of
`app_context_changed` (agent view) or `assistant_thread_context_changed` (assistant view).

Kept in memory only (it changes all the time and says where someone is), for a limited number of
people and for a limited time: context older than `max_age_s` no longer counts, since Slack only
reports changes while the app is visible.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

MAX_PEOPLE = 10_000
MAX_AGE_S = 3600.0
CHANNEL_ENTITY = "slack#/types/channel_id"
MESSAGE_ENTITY = "slack#/types/message_context"


def viewed_channel(context: dict[str, Any] | None) -> str | None:
    """The channel in an event's context: the most relevant channel (or message) entity of
    `app_context_changed`, or the `channel_id` of an assistant thread's context."""
    context = context or {}
    for entity in context.get("entities") or []:
        if not isinstance(entity, dict):
            continue
        value = entity.get("value")
        if entity.get("type") == CHANNEL_ENTITY and isinstance(value, str) and value:
            return value
        if entity.get("type") == MESSAGE_ENTITY and isinstance(value, dict) and value.get("channel_id"):
            return str(value["channel_id"])
    channel = context.get("channel_id")
    return str(channel) if channel else None


class ViewedChannels:
    """`remember(user, channel)` and `of(user)`; thread-safe, bounded, forgetting stale context."""

    def __init__(self, *, max_people: int = MAX_PEOPLE, max_age_s: float = MAX_AGE_S) -> None:
        self.max_people, self.max_age_s = max_people, max_age_s
        self._seen: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, user: str, channel: str | None) -> None:
        """`channel` None: the user looks at nothing we know (an empty context)."""
        with self._lock:
            self._seen.pop(user, None)
            if channel:
                self._seen[user] = (channel, time.monotonic())
                while len(self._seen) > self.max_people:
                    self._seen.popitem(last=False)

    def of(self, user: str) -> str | None:
        with self._lock:
            seen = self._seen.get(user)
        if seen is None or time.monotonic() - seen[1] > self.max_age_s:
            return None
        return seen[0]
