"""When the scheduled jobs run: re-indexing, the consistency check, the privacy purge, the gaps digest."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Schedule(Area):
    """Schedule: the cron expressions of the scheduled jobs and their time zone."""

    timezone: str = setting("Europe/Amsterdam", "VRAAGBAAK_TIMEZONE", "Time zone of the cron expressions.")
    misfire_grace_seconds: int = setting(
        300, "VRAAGBAAK_MISFIRE_GRACE_SECONDS", "How late a missed scheduled run may still start.")
    reindex_cron: str = setting(
        "*/15 * * * *", "VRAAGBAAK_REINDEX_CRON",
        "Cron expression for incremental re-indexing (5 crontab fields, or 6 with seconds first); empty: off.")
    consistency_cron: str = setting(
        "0 2 * * *", "VRAAGBAAK_CONSISTENCY_CRON",
        "Cron expression for the nightly full consistency check; empty: off.")
    purge_cron: str = setting(
        "30 3 * * *", "VRAAGBAAK_PURGE_CRON",
        "Cron expression for the daily privacy purge: every store of personal data deletes what is past its "
        "retention period, e.g. answers and votes older than retention_days (deploy/PRIVACY.md); empty: off "
        "(they still go on every write and at start).")
    gaps_digest_cron: str = setting(
        "0 9 * * 1", "VRAAGBAAK_GAPS_DIGEST_CRON",
        "Cron expression for the digest of what the documents are missing (declined and 👎 questions, grouped), "
        "sent to the admins; empty: off.")
    gaps_digest_days: int = setting(
        7, "VRAAGBAAK_GAPS_DIGEST_DAYS", "Days of questions the gaps digest covers.", minimum=0)
    permission_sync_minutes: int = setting(
        10, "VRAAGBAAK_PERMISSION_SYNC_MINUTES",
        "Minutes between permission-only syncs of the sources in VRAAGBAAK_SOURCES_FILE: who may read each "
        "document is read again (nothing downloaded or embedded), so a revoked share counts within this time. "
        "0: off.", minimum=0, maximum=1440)
