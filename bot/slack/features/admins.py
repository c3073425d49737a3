"""Who may run admin commands: the configured user ids, and the workspace's admins and owners."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

NOT_ADMIN = ("Sorry, alleen beheerders van Vraagbaak mogen dit doen. Vraag het een workspace-beheerder "
             "of iemand die in de beheerderslijst van Vraagbaak staat.")


class AdminCheck:
    """`is_admin(user)`: allow-list first, else users.info (is_admin / is_owner), cached a while."""

    def __init__(self, allowed: Iterable[str], *, cache_s: float = 300.0) -> None:
        self.allowed = frozenset(allowed)
        self.cache_s = cache_s
        self._cache: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def is_admin(self, user_id: str, client: WebClient) -> bool:
        if user_id in self.allowed:
            return True
        with self._lock:
            cached = self._cache.get(user_id)
        if cached is not None and time.monotonic() - cached[1] < self.cache_s:
            return cached[0]
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            log.warning("users.info for %s failed (%s); treated as not an admin", user_id,
                        exc.response.get("error"))
            return False
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        with self._lock:
            self._cache[user_id] = (admin, time.monotonic())
        return admin
