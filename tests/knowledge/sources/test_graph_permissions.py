"""Graph permission resources -> readers: every documented form, and failing closed on the rest."""

from __future__ import annotations

from datetime import datetime, timezone

from knowledge.sources.base import EVERYONE, collection, group, user
from knowledge.sources.graph_permissions import readers_from_permissions

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
DIRECTORY = {"u-1": "Eva@Contoso.nl"}


def readers(*permissions, site_group_readers=frozenset()):
    return readers_from_permissions(permissions, source="sp", email_of=DIRECTORY.get,
                                    site_group_readers=site_group_readers, now=NOW)


def test_anonymous_and_organisation_links_are_everyone_and_existing_access_links_add_nobody():
    assert readers({"roles": ["read"], "link": {"scope": "anonymous", "type": "view"}}) == {EVERYONE}
    assert readers({"roles": ["write"], "link": {"scope": "organization", "type": "edit"}}) == {EVERYONE}
    assert readers({"roles": ["read"], "link": {"scope": "existingAccess", "type": "view"}}) == frozenset()


def test_a_specific_people_link_grants_exactly_those_people():
    link = {"roles": ["read"], "link": {"scope": "users", "type": "view"},
            "grantedToIdentitiesV2": [{"user": {"id": "u-1"}}, {"user": {"id": "u-2", "email": "Piet@contoso.nl"}}]}
    assert readers(link) == {user("eva@contoso.nl"), user("piet@contoso.nl")}


def test_users_are_found_by_their_email_the_sharepoint_login_name_or_the_directory():
    with_email = {"roles": ["read"], "grantedToV2": {"user": {"id": "x", "email": "a@contoso.nl"}}}
    assert readers(with_email) == {user("a@contoso.nl")}
    assert readers({"roles": ["read"], "grantedToV2": {
        "user": {"id": "y"}, "siteUser": {"loginName": "i:0#.f|membership|b@contoso.nl"}}}) == {user("b@contoso.nl")}
    assert readers({"roles": ["read"], "grantedToV2": {"user": {"id": "u-1"}}}) == {user("eva@contoso.nl")}
    assert readers({"roles": ["read"], "grantedToV2": {"user": {"id": "unknown"}}}) == frozenset()


def test_groups_site_groups_invitations_and_applications():
    assert readers({"roles": ["read"], "grantedToV2": {"group": {"id": "g-1"}}}) == {group("sp", "g-1")}
    members = {"roles": ["read"], "grantedToV2": {"siteGroup": {"id": "3", "displayName": "Personeel Members"}}}
    assert readers(members) == frozenset()  # its members cannot be listed: nobody, unless configured
    assert readers(members, site_group_readers=frozenset({collection("intranet")})) == {collection("intranet")}
    assert readers({"roles": ["read"], "invitation": {"email": "Gast@extern.nl"}}) == {user("gast@extern.nl")}
    assert readers({"roles": ["read"], "grantedToV2": {"application": {"id": "app"}}}) == frozenset()


def test_expired_permissions_and_roles_that_do_not_read_grant_nothing():
    eva = {"user": {"id": "u-1"}}
    assert readers({"roles": ["read"], "grantedToV2": eva, "expirationDateTime": "2026-11-30T00:00:00Z"}) == frozenset()
    for not_expired in ("2027-01-01T00:00:00Z", "0001-01-01T00:00:00Z"):  # the latter: no expiry set
        assert readers({"roles": ["read"], "grantedToV2": eva, "expirationDateTime": not_expired}) == {
            user("eva@contoso.nl")}
    assert readers({"roles": ["sp.limited access"], "grantedToV2": eva}) == frozenset()
    assert readers({"grantedToV2": eva}) == frozenset()
