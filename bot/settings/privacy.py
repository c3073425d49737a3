"""What Vraagbaak keeps about people, and for how long."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Privacy(Area):
    """Privacy: pseudonymised user ids and how long stored answers and votes are kept."""

    pseudonymise_users: bool = setting(
        True, "VRAAGBAAK_PSEUDONYMISE_USERS",
        "Store a keyed hash (HMAC-SHA256) of Slack user ids in the feedback store instead of the ids "
        "themselves (deploy/PRIVACY.md). Off only with a reason the privacy officer agrees with.")
    pseudonym_key: str = setting(
        "", "VRAAGBAAK_PSEUDONYM_KEY",
        "Secret key of the user-id hash. Empty: a random key generated once in <data_dir>/pseudonym.key "
        "(permissions 0600).", secret=True)
    retention_days: int = setting(
        90, "VRAAGBAAK_RETENTION_DAYS",
        "Days that stored answers and votes are kept; older ones are deleted when the bot starts, on every "
        "write, before every export and by `vraagbaak privacy purge`. 0: kept until deleted by hand.", minimum=0)
