"""Who may search which collection where, and who may run admin commands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.settings.fields import Area, SettingsError, check_slack_ids, parse_name_lists, setting


@dataclass(frozen=True)
class Access(Area):
    """Access: the collections each channel and direct message searches, restricted collections, admins."""

    channel_collections: dict[str, list[str]] = setting(
        {}, "VRAAGBAAK_CHANNEL_COLLECTIONS",
        "Per Slack channel, the collections it may search, as `C0123=hr+it;C0456=wiki`. "
        "Channels not listed search all collections.",
        parse=partial(parse_name_lists, env="VRAAGBAAK_CHANNEL_COLLECTIONS", form="KANAAL=collectie+collectie"))
    dm_collections: list[str] = setting(
        [], "VRAAGBAAK_DM_COLLECTIONS",
        "Collections searched in direct messages, comma-separated. Empty: all collections.")
    # Restricted collections fail closed: never searched unless a channel or a person is named for them.
    restricted_collections: list[str] = setting(
        [], "VRAAGBAAK_RESTRICTED_COLLECTIONS",
        "Collections searched only where explicitly allowed, comma-separated (e.g. `hr-vertrouwelijk`): in a "
        "channel that lists them in VRAAGBAAK_CHANNEL_COLLECTIONS, and in the direct messages of the users in "
        "VRAAGBAAK_RESTRICTED_ACCESS. Everywhere else never, also where all collections would be searched.")
    restricted_access: dict[str, list[str]] = setting(
        {}, "VRAAGBAAK_RESTRICTED_ACCESS",
        "Who may search a restricted collection in direct messages (questions, /vraag and templates there), as "
        "`collectie=U0HR1+U0HR2+S0HRGROUP;andere=U0CFO`: Slack user ids (U…, W…) and user group ids (S…; their "
        "members are read with usergroups.users.list, re-read after 5 minutes). DM_COLLECTIONS never grants one.",
        parse=partial(parse_name_lists, env="VRAAGBAAK_RESTRICTED_ACCESS", form="collectie=GEBRUIKER+GROEP"))
    reader_cache_seconds: int = setting(
        300, "VRAAGBAAK_READER_CACHE_SECONDS",
        "How long an asker's e-mail address (Slack) and groups (the sources) are kept before they are asked again.",
        minimum=0)
    admin_user_ids: list[str] = setting(
        [], "VRAAGBAAK_ADMIN_USER_IDS",
        "Slack user IDs allowed to run admin commands, comma-separated (workspace admins and owners always are).")

    def check(self) -> None:
        for name in self.restricted_access:
            if name not in self.restricted_collections:
                raise SettingsError(f"VRAAGBAAK_RESTRICTED_ACCESS: '{name}' is not in VRAAGBAAK_RESTRICTED_COLLECTIONS")
        check_slack_ids("VRAAGBAAK_RESTRICTED_ACCESS", self.restricted_access, "collection")
