"""Who is asking, as the principals the index stores next to each chunk: the one place that decides
which documents' readers a question may use.

- In a channel the answer is seen by everyone there, so only documents readable by everyone in the
  organisation are used ("everyone"). The simplest honest rule: the channel's members are not
  compared with each document's readers.
- In a direct message the asker's own: "everyone", their e-mail address (Slack's users.info) and the
  groups of the configured sources they are in (each source says who is in its groups).
- Fail closed: an unknown e-mail leaves "everyone"; a source that cannot be asked adds none of its
  groups. What was found is kept `keep_s` seconds, so a revoked group membership counts after that.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.models import EVERYONE_KEY, EVERYONE_READERS

log = logging.getLogger(__name__)

KEEP_S = 300.0


@dataclass(frozen=True)
class GroupDirectory:
    """The source groups that occur among the readers of the index, and their members (e-mail
    addresses); `groups()` and `members(key)` may raise, which grants nothing."""

    groups: Callable[[], Iterable[str]]
    members: Callable[[str], Iterable[str]]


NO_GROUPS = GroupDirectory(lambda: (), lambda key: ())


class AskerReaders:
    """`of(user_id)`: the principal keys a direct-message question of this Slack user may use."""

    def __init__(self, email_of: Callable[[str], str | None], directory: GroupDirectory = NO_GROUPS, *,
                 keep_s: float = KEEP_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.email_of = email_of
        self.directory = directory
        self.keep_s = keep_s
        self.clock = clock
        self._known: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def of(self, user: str) -> tuple[str, ...]:
        now = self.clock()
        with self._lock:
            known = self._known.get(user)
        if known is not None and now - known[0] < self.keep_s:
            return known[1]
        readers = self._resolve(user, now)
        with self._lock:
            self._known[user] = (now, readers)
        return readers

    def _resolve(self, user: str, now: float) -> tuple[str, ...]:
        try:
            email = (self.email_of(user) or "").strip().lower()
        except Exception:
            log.warning("could not look up the e-mail address of %s; organisation-wide documents only", user,
                        exc_info=True)
            return EVERYONE_READERS
        if not email:
            log.info("no e-mail address for %s; organisation-wide documents only", user)
            return EVERYONE_READERS
        keys = {EVERYONE_KEY, f"user:{email}"}
        try:
            groups = sorted(set(self.directory.groups()))
        except Exception:
            log.warning("could not list the groups in the index; no group grants anything now", exc_info=True)
            groups = []
        keys.update(group for group in groups if email in self._members_of(group, now))
        return tuple(sorted(keys))

    def _members_of(self, group: str, now: float) -> frozenset[str]:
        with self._lock:
            known = self._members.get(group)
        if known is not None and now - known[0] < self.keep_s:
            return known[1]
        try:
            members = frozenset(m.strip().lower() for m in self.directory.members(group))
        except Exception:  # fail closed: a group that cannot be read grants nothing, and is asked again
            log.warning("could not read the members of %s; it grants nothing now", group, exc_info=True)
            return frozenset()
        with self._lock:
            self._members[group] = (now, members)
        return members

    def forget(self) -> None:
        """Everything asked again (after a permission sync)."""
        with self._lock:
            self._known.clear()
            self._members.clear()


def channel_readers() -> tuple[str, ...]:
    return EVERYONE_READERS
