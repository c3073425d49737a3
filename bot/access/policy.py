"""Which collections a conversation may search: the one place that decides it, for every entry point.

Unrestricted collections behave as configured per channel (VRAAGBAAK_CHANNEL_COLLECTIONS) and for
direct messages (VRAAGBAAK_DM_COLLECTIONS), where "not configured" means all of them. A restricted
collection fails closed: it is searched only in a channel that lists it, or in the direct messages
of a user granted it (directly or through a Slack user group); everywhere else never, also where
all collections would otherwise be searched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from knowledge.models import EVERYONE_READERS

if TYPE_CHECKING:
    from bot.access.readers import AskerReaders
    from bot.settings import Settings

log = logging.getLogger(__name__)

GROUP_PREFIX = "S"  # Slack user group ids start with S; user ids with U or W


def _no_members(group: str) -> Collection[str]:
    return ()


class Access:
    """Collections per conversation; `members_of(group_id)` gives a Slack user group's user ids."""

    def __init__(self, *, collections: Sequence[str], channel_collections: Mapping[str, Sequence[str]],
                 dm_collections: Sequence[str] = (), restricted: Collection[str] = (),
                 granted: Mapping[str, Collection[str]] | None = None,
                 members_of: Callable[[str], Collection[str]] = _no_members,
                 askers: "AskerReaders | None" = None) -> None:
        self.collections = list(collections)
        self.askers = askers  # who a DM's asker is at the sources; None: organisation-wide documents only
        self.channel_collections = {k: list(v) for k, v in channel_collections.items()}
        self.dm_collections = list(dm_collections)
        self.restricted = frozenset(restricted)
        self.granted = {name: frozenset(who) for name, who in (granted or {}).items()}
        self.members_of = members_of

    @classmethod
    def from_settings(cls, settings: "Settings", *, members_of: Callable[[str], Collection[str]] = _no_members,
                      askers: "AskerReaders | None" = None, collections: Sequence[str] = ()) -> "Access":
        folders = settings.documents.sources
        names = list(folders) + [name for name in collections if name not in folders]
        return cls(collections=names, channel_collections=settings.access.channel_collections,
                   dm_collections=settings.access.dm_collections, restricted=settings.access.restricted_collections,
                   granted=settings.access.restricted_access, members_of=members_of, askers=askers)

    def readers_for(self, *, is_dm: bool, user: str | None = None) -> tuple[str, ...]:
        """Whose documents an answer may use, as principal keys: in a channel only what everyone in
        the organisation may read (everyone there sees the answer); in a DM the asker's own. The
        collection rules apply on top: a chunk is used when both allow it."""
        if not is_dm or not user or self.askers is None:
            return EVERYONE_READERS
        return self.askers.of(user)

    def collections_for(self, channel: str | None, *, is_dm: bool, user: str | None = None,
                        viewing: str | None = None) -> list[str] | None:
        """What this conversation may search; None means every collection (only when none is restricted).

        `viewing`: in a DM, the channel the user is looking at (Slack's app_context_changed). It only
        narrows: the channel's configured collections that this DM may search anyway; restricted
        ones the user is not granted stay out. Without configured collections for that channel, or
        when none of them is searchable here, the DM's own collections apply."""
        if is_dm and viewing is not None:
            return self._narrowed_to(viewing, self.collections_for(channel, is_dm=True, user=user))
        if is_dm:
            chosen = list(self.dm_collections) or None
            allowed = {name for name in self.restricted if user and self.may_see(user, name)}
        else:
            chosen = list(self.channel_collections[channel]) if channel in self.channel_collections else None
            allowed = set(chosen or ()) & self.restricted  # a channel that lists it, explicitly
        if not self.restricted:
            return chosen
        base = chosen if chosen is not None else self.collections
        result = [name for name in base if name not in self.restricted or name in allowed]
        return result + [name for name in sorted(allowed) if name not in result]

    def _narrowed_to(self, viewing: str, allowed: list[str] | None) -> list[str] | None:
        focus = self.channel_collections.get(viewing)
        if not focus:
            return allowed
        narrowed = [name for name in focus if allowed is None or name in allowed]
        return narrowed or allowed

    def may_see(self, user: str, collection: str) -> bool:
        """Whether this user is granted this restricted collection, by id or through a user group."""
        who = self.granted.get(collection, frozenset())
        if user in who:
            return True
        return any(user in self._members(group) for group in who if group.startswith(GROUP_PREFIX))

    def _members(self, group: str) -> Collection[str]:
        try:
            return self.members_of(group)
        except Exception:  # fail closed: a group that cannot be read grants nothing
            log.warning("could not read the members of user group %s; it grants nothing now", group,
                        exc_info=True)
            return ()
