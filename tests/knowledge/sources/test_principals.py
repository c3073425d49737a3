"""Principals round-trip through the strings stored next to each chunk."""

from __future__ import annotations

import pytest

from knowledge.sources.base import EVERYONE, Principal, collection, group, user


def test_every_kind_of_principal_round_trips_through_its_key():
    for principal in (EVERYONE, user(" Anna@Contoso.NL "), group("sharepoint", "6f1c-42"),
                      group("nextcloud", "HR team/leiding"), collection("hr")):
        assert Principal.from_key(principal.key) == principal
    assert user("Anna@Contoso.NL").key == "user:anna@contoso.nl"
    assert group("nextcloud", "hr").key == "group:nextcloud/hr"


def test_a_string_that_is_no_principal_is_refused():
    for key in ("", "user:", "admin:x", "iedereen"):
        with pytest.raises(ValueError):
            Principal.from_key(key)
