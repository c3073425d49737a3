"""Page and slide marks: how a reader of a paged format (PDF, slides) tells the chunker where each
page or slide begins, so every passage knows its page.

A mark is a line of its own, an HTML comment (``<!-- page 11 -->``, ``<!-- slide 3 -->``), that the
chunker takes out of the text (a spreadsheet's rows mark likewise); Markdown files cannot bring
their own, as their reader drops HTML comments. A slide mark also keeps the slide a passage of its
own: the chunker never joins it with the slide before.
"""

from __future__ import annotations

import re

MARK = re.compile(r"^<!-- (page|slide) (\d+) -->$")

# Heads a spreadsheet tab's rows (sheets.py): the chunker cuts what follows, up to the next heading,
# into small passages of whole rows and joins it with no other section.
ROWS_MARK = "<!-- rows -->"


def page_mark(number: int) -> str:
    return f"<!-- page {number} -->"


def slide_mark(number: int) -> str:
    return f"<!-- slide {number} -->"


def read_mark(line: str) -> tuple[str, int] | None:
    """("page" or "slide", number) when the line is a mark."""
    match = MARK.match(line.strip())
    return (match.group(1), int(match.group(2))) if match else None
