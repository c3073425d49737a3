"""The words of the "Bronnen" part of the admins' Home tab (its blocks: bot/slack/ui/home.py): per
source of the sources file (SourceRuns.overview, as `vraagbaak sources` shows it) its name, kind,
collection, the age of its last content and permission sync in Dutch words, its counts, its last
error in plain Dutch and the documents it could not read. The overview holds no secret; an
unexpected error's text (which may quote a URL or a server's answer) is shown as its kind only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.slack.ui.blocks import escape

LISTED_SOURCES = 10  # one section each
LISTED_NOT_READABLE = 3  # names of documents a source could not read, per source
SOURCES_UNREADABLE = "De stand van de bronnen kon niet worden gelezen; zie `vraagbaak sources`."
UNEXPECTED_ERROR = "een onverwachte fout ({kind}); de details staan in het logboek van Vraagbaak"
SOURCE_KINDS = {"graph": "SharePoint/OneDrive", "nextcloud": "Nextcloud", "webdav": "WebDAV", "folder": "map"}
HIDDEN_SOURCES = "bron(nen) van afgeschermde collecties die jij niet mag doorzoeken, staan hier niet"


def source_text(row: dict[str, Any], now: datetime) -> str:
    kind = SOURCE_KINDS.get(row["kind"], row["kind"])
    lines = [f"*{escape(row['name'])}* ({escape(kind)}) → collectie *{escape(row['collection'])}*",
             f"Inhoud gesynchroniseerd: {ago(row.get('last_sync'), now)} · "
             f"leesrechten: {ago(row.get('last_permission_sync'), now)}",
             f"{documents(int(row.get('documents') or 0))}; laatste keer {row.get('added', 0)} nieuw, "
             f"{row.get('changed', 0)} gewijzigd, {row.get('removed', 0)} verwijderd"]
    for key, label in (("last_sync_error", "Fout bij synchroniseren"),
                       ("last_permission_error", "Fout bij leesrechten")):
        if row.get(key):
            lines.append(f":warning: *{label}:* {escape(plain_error(row[key]))}")
    unreadable = row.get("not_readable") or []
    if unreadable:
        names = ", ".join(f"`{escape(item['path'])}`" for item in unreadable[:LISTED_NOT_READABLE])
        more = f" en nog {len(unreadable) - LISTED_NOT_READABLE}" if len(unreadable) > LISTED_NOT_READABLE else ""
        lines.append(f"Niet gelezen: {documents(len(unreadable))} ({names}{more})")
    return "\n".join(lines)


def plain_error(reason: str) -> str:
    """A source's stored error for people: our own errors are Dutch already; an unexpected one
    ("ValueError: …", possibly with a URL or a server's answer in it) becomes its kind only."""
    kind, sep, _ = reason.partition(": ")
    if sep and kind.isidentifier() and kind[:1].isupper() and kind.endswith(("Error", "Exception")):
        return UNEXPECTED_ERROR.format(kind=kind)
    return reason


def ago(stamp: str | None, now: datetime) -> str:
    """An ISO 8601 moment as its age in Dutch words ("12 minuten geleden"); "nog nooit" without one."""
    if not stamp:
        return "nog nooit"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return "onbekend"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "zojuist"
    for size, one, many in ((86400, "dag", "dagen"), (3600, "uur", "uur"), (60, "minuut", "minuten")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {one if count == 1 else many} geleden"
    return "zojuist"



def documents(count: int) -> str:
    return "1 document" if count == 1 else f"{count} documenten"
