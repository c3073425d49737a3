"""Who is asking, as principal keys: the asker's e-mail and source groups in a DM, everyone in a
channel, and organisation-wide only whenever something cannot be asked (fail closed)."""

from __future__ import annotations

from bot.access.policy import Access
from bot.access.readers import AskerReaders, GroupDirectory

GROUPS = {"group:sharepoint/g-hr": ["Anna@Contoso.nl", "carla@contoso.nl"], "group:cloud/finance": ["bart@contoso.nl"]}
EMAILS = {"U0ANNA": "Anna@Contoso.nl", "U0BART": "bart@contoso.nl", "U0GAST": None}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Directory:
    """Groups and members as the sources give them, counting the questions."""

    def __init__(self, groups=GROUPS) -> None:
        self.groups_asked = 0
        self.members_asked: list[str] = []
        self.table = {k: list(v) for k, v in groups.items()}
        self.failing: set[str] = set()

    def groups(self):
        self.groups_asked += 1
        return list(self.table)

    def members(self, key):
        self.members_asked.append(key)
        if key in self.failing:
            raise ConnectionError("bron onbereikbaar")
        return self.table[key]

    def as_directory(self) -> GroupDirectory:
        return GroupDirectory(self.groups, self.members)


def test_a_dm_asker_gets_their_address_and_their_groups_and_everyone():
    readers = AskerReaders(EMAILS.get, Directory().as_directory())
    assert readers.of("U0ANNA") == ("everyone", "group:sharepoint/g-hr", "user:anna@contoso.nl")
    assert readers.of("U0BART") == ("everyone", "group:cloud/finance", "user:bart@contoso.nl")


def test_an_unknown_address_or_a_failing_lookup_means_organisation_wide_only():
    def failing(user):
        raise TimeoutError("slack")

    assert AskerReaders(EMAILS.get, Directory().as_directory()).of("U0GAST") == ("everyone",)
    assert AskerReaders(EMAILS.get).of("U0NIEMAND") == ("everyone",)
    assert AskerReaders(failing, Directory().as_directory()).of("U0ANNA") == ("everyone",)


def test_a_group_that_cannot_be_read_grants_nothing_and_is_asked_again_later():
    directory = Directory()
    directory.failing.add("group:sharepoint/g-hr")
    clock = Clock()
    readers = AskerReaders(EMAILS.get, directory.as_directory(), keep_s=60, clock=clock)
    assert readers.of("U0ANNA") == ("everyone", "user:anna@contoso.nl")
    directory.failing.clear()
    clock.now = 61
    assert "group:sharepoint/g-hr" in readers.of("U0ANNA")


def test_answers_are_kept_for_a_while_and_a_revoked_membership_counts_after_that():
    directory = Directory()
    clock = Clock()
    readers = AskerReaders(EMAILS.get, directory.as_directory(), keep_s=300, clock=clock)
    assert "group:sharepoint/g-hr" in readers.of("U0ANNA")
    directory.table["group:sharepoint/g-hr"].remove("Anna@Contoso.nl")
    clock.now = 299
    assert "group:sharepoint/g-hr" in readers.of("U0ANNA") and directory.groups_asked == 1  # cached
    clock.now = 301
    assert "group:sharepoint/g-hr" not in readers.of("U0ANNA")
    directory.table["group:sharepoint/g-hr"].append("anna@contoso.nl")
    readers.forget()  # after a permission sync
    assert "group:sharepoint/g-hr" in readers.of("U0ANNA")


def test_access_gives_everyone_in_channels_and_the_askers_own_in_dms():
    askers = AskerReaders(EMAILS.get, Directory().as_directory())
    access = Access(collections=["bedrijf", "intranet"], channel_collections={}, askers=askers)
    assert access.readers_for(is_dm=False, user="U0ANNA") == ("everyone",)
    assert access.readers_for(is_dm=True, user="U0ANNA") == askers.of("U0ANNA")
    assert access.readers_for(is_dm=True, user=None) == ("everyone",)
    assert Access(collections=["bedrijf"], channel_collections={}).readers_for(is_dm=True, user="U0ANNA") == \
        ("everyone",)
