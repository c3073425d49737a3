"""Which superseded versions of the table may be removed, so a reader still busy with one never breaks."""

from __future__ import annotations

from datetime import datetime, timedelta


def cleanup_age(versions: list[dict], keep_superseded: timedelta) -> timedelta:
    """An age such that only versions whose successor is older than keep_superseded go.

    Lance removes versions older than the age. Version j = the newest one created before
    now - keep_superseded: everything older than j was superseded long enough ago; j itself
    may still be read, so it stays.
    """
    now = datetime.now()
    stamps = sorted(v["timestamp"] for v in versions)
    old = [ts for ts in stamps if now - naive(ts) > keep_superseded]
    if not old:
        return timedelta(days=3650)
    # a second of margin: Lance takes its own `now` a moment later than ours
    return now - naive(old[-1]) + timedelta(seconds=1)


def naive(ts: datetime) -> datetime:
    return ts.astimezone().replace(tzinfo=None) if ts.tzinfo else ts
