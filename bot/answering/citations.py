"""The [n] markers in a generated answer: which passages it cites, renumbered to the sources list."""

from __future__ import annotations

import re
from typing import Hashable, Sequence

# [1], [2, 3], [1][2], [bron 2] / [source 2]: what small and large models write.
_MARKER = re.compile(r"\s?\[(?:(?:bron|source|passage)\s*)?(\d+(?:\s*(?:,|en|and|&)\s*\d+)*)\]", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


def resolve_citations(text: str, passage_sources: Sequence[Hashable]) -> tuple[str, list[Hashable]]:
    """Renumbers the [n] markers of `text` to the list of cited sources.

    `passage_sources[n - 1]` is the source of passage n; passages with the same source share one number.
    Returns the text with valid markers renumbered 1.. in order of first citation and invalid ones
    removed, and the cited sources in that order.
    """
    cited: list[Hashable] = []

    def renumber(match: re.Match) -> str:
        valid = []
        for number in map(int, _NUMBER.findall(match.group(1))):
            if 1 <= number <= len(passage_sources):
                source = passage_sources[number - 1]
                if source not in cited:
                    cited.append(source)
                valid.append(cited.index(source) + 1)
        if not valid:
            return ""
        lead = match.group(0)[0] if match.group(0)[0].isspace() else ""
        return lead + "".join(f"[{n}]" for n in dict.fromkeys(valid))

    return _MARKER.sub(renumber, text).strip(), cited
