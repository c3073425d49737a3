"""Microsoft Graph `permission` resources -> who may read the item, failing closed.

Each permission is one of (Graph v1.0, permission and sharingLink resources):
- a sharing link (`link`): `scope` "anonymous" (anyone with the link) or "organization" (anyone in
  the tenant with the link) counts as everyone in the organisation; "users" (specific people) grants
  the identities in `grantedToIdentitiesV2`; "existingAccess" grants nothing new;
- a direct grant (`grantedToV2`): a user (by e-mail), an Entra ID group (by id), or a SharePoint
  site group (Owners/Members/Visitors), whose members Graph cannot list: those stand for the
  configured `site_group_readers`, by default nobody;
- an invitation not yet redeemed: the invited e-mail address.

Only the roles read, write and owner grant reading; an expired permission grants nothing. Anything
not understood grants nothing: a document is never readable by more people than the source says.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Callable, Iterable

from knowledge.sources.base import EVERYONE, Principal, group, user

log = logging.getLogger(__name__)

READING_ROLES = frozenset({"read", "write", "owner"})
EVERYONE_LINK_SCOPES = frozenset({"anonymous", "organization"})
_CLAIMS_LOGIN = re.compile(r"^i:0#\.f\|membership\|(.+@.+)$", re.IGNORECASE)  # SharePoint's login name


def readers_from_permissions(permissions: Iterable[dict], *, source: str,
                             email_of: Callable[[str], str | None],
                             site_group_readers: frozenset[Principal] = frozenset(),
                             now: datetime | None = None) -> frozenset[Principal]:
    """The principals the permissions of one item grant reading. `email_of(user_id)` looks up a
    user whose identity carries no e-mail address (None when unknown)."""
    now = now or datetime.now(timezone.utc)
    readers: set[Principal] = set()
    for permission in permissions:
        if not READING_ROLES & set(permission.get("roles") or ()) or _expired(permission, now):
            continue
        link = permission.get("link")
        if link is not None:
            scope = (link.get("scope") or "").lower()
            if scope in EVERYONE_LINK_SCOPES:
                readers.add(EVERYONE)
                continue
            if scope != "users":
                continue  # existingAccess, or a link we do not know: nothing new
        identities = [permission.get("grantedToV2"), *(permission.get("grantedToIdentitiesV2") or ())]
        granted = set()
        for identity in filter(None, identities):
            granted |= _principals(identity, source, email_of, site_group_readers)
        if not granted and link is None:
            invited = (permission.get("invitation") or {}).get("email")
            if invited:
                granted.add(user(invited))
        readers |= granted
    return frozenset(readers)


def _principals(identity: dict, source: str, email_of: Callable[[str], str | None],
                site_group_readers: frozenset[Principal]) -> set[Principal]:
    if identity.get("group", {}).get("id"):
        return {group(source, identity["group"]["id"])}
    if identity.get("user"):
        email = _user_email(identity, email_of)
        if email:
            return {user(email)}
        log.info("a Graph user without a known e-mail address gets no access: %s",
                 identity["user"].get("id", "?"))
        return set()
    if identity.get("siteGroup") or identity.get("sharePointGroup"):
        return set(site_group_readers)
    return set()  # an application or device: not a person who asks questions


def _user_email(identity: dict, email_of: Callable[[str], str | None]) -> str | None:
    person = identity["user"]
    if person.get("email"):
        return person["email"]
    login = (identity.get("siteUser") or {}).get("loginName") or ""
    match = _CLAIMS_LOGIN.match(login)
    if match:
        return match.group(1)
    return email_of(person["id"]) if person.get("id") else None


def _expired(permission: dict, now: datetime) -> bool:
    value = permission.get("expirationDateTime")
    if not value or value.startswith("0001-01-01"):  # DateTime.MinValue: no expiry
        return False
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when <= now
