"""Members of Slack user groups (usergroups.users.list, scope usergroups:read), kept a few minutes so
that a question does not wait for Slack each time; a group Slack will not list has no members."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

KEEP_S = 300.0


class UserGroups:
    """`members(group_id)`: the user ids in a user group, read again after `keep_s` seconds."""

    def __init__(self, client: WebClient, *, keep_s: float = KEEP_S) -> None:
        self.client = client
        self.keep_s = keep_s
        self._known: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members(self, group: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            known = self._known.get(group)
        if known is not None and now - known[0] < self.keep_s:
            return known[1]
        try:
            response = self.client.usergroups_users_list(usergroup=group)
            members = frozenset(str(u) for u in response.get("users") or [])
        except SlackApiError as exc:
            log.warning("usergroups.users.list %s failed (%s); the group grants nothing", group,
                        exc.response.get("error"))
            members = frozenset()
        with self._lock:
            self._known[group] = (now, members)
        return members
