"""What a reader gives back of a file: its text, what of it could not be read, and the date the
document gives itself in its own metadata (Word/PowerPoint/Excel core properties, OpenDocument meta,
the PDF's info or XMP, an e-mail's Date header, Markdown front matter `date:`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

EARLIEST_YEAR = 1980  # before this a metadata date is a program's default, not the document's


@dataclass(frozen=True)
class Reading:
    """A file's text, what of it could not be read (Dutch, for the index report), and when the
    document says it was last written (None: it does not say)."""

    text: str
    problems: tuple[str, ...] = ()
    written: date | None = None


def written_on(*moments: object) -> date | None:
    """The first plausible day among metadata values (last saved, then created): a datetime or date
    between 1980 and tomorrow; anything else (None, a string a library could not parse) is passed over."""
    tomorrow = datetime.now(timezone.utc).date().toordinal() + 1
    for moment in moments:
        if isinstance(moment, datetime):
            moment = (moment.astimezone(timezone.utc) if moment.tzinfo else moment).date()
        if isinstance(moment, date) and moment.year >= EARLIEST_YEAR and moment.toordinal() <= tomorrow:
            return moment
    return None
