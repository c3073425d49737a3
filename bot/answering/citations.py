"""The [n] markers in a generated answer: which passages it cites, renumbered to the sources list."""

from __future__ import annotations

import re
from typing import Callable, Hashable, Sequence

from language.questions import telling_words

# [1], [2, 3], [1][2], [bron 2] / [source 2]: what small and large models write.
_MARKER = re.compile(r"\s?\[(?:(?:bron|source|passage)\s*)?(\d+(?:\s*(?:,|en|and|&)\s*\d+)*)\]", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


class CitationRenumbering:
    """Renumbers [n] markers to the sources list, in order of first citation; works on a stream.

    `passage_sources[n - 1]` is the source of passage n; passages with the same source share one
    number; markers naming no passage are removed. Fed the text in pieces, it holds back a possibly
    unfinished marker, so what it gives out adds up to the same text as renumbering it whole.
    """

    HOLD_CHARS = 40  # longer than any marker: "[bron 1, 2 en 3]"

    def __init__(self, passage_sources: Sequence[Hashable]) -> None:
        self.passage_sources = list(passage_sources)
        self.cited: list[Hashable] = []
        self._pending = ""

    def feed(self, piece: str) -> str:
        """Renumbered text that is safe to show now."""
        self._pending += piece
        cut = len(self._pending)
        opening = self._pending.rfind("[")
        if opening >= 0 and "]" not in self._pending[opening:] and len(self._pending) - opening <= self.HOLD_CHARS:
            cut = opening
        if cut > 0 and self._pending[cut - 1].isspace():
            cut -= 1  # a marker may take the space before it along
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._renumber(ready)

    def finish(self) -> str:
        """The rest of the text, once the stream has ended."""
        rest, self._pending = self._pending, ""
        return self._renumber(rest)

    def _renumber(self, text: str) -> str:
        return _MARKER.sub(self._marker, text)

    def _marker(self, match: re.Match) -> str:
        numbers = []
        for number in map(int, _NUMBER.findall(match.group(1))):
            if 1 <= number <= len(self.passage_sources):
                source = self.passage_sources[number - 1]
                if source not in self.cited:
                    self.cited.append(source)
                numbers.append(self.cited.index(source) + 1)
        if not numbers:
            return ""
        lead = match.group(0)[0] if match.group(0)[0].isspace() else ""
        return lead + "".join(f"[{n}]" for n in dict.fromkeys(numbers))


def resolve_citations(text: str, passage_sources: Sequence[Hashable]) -> tuple[str, list[Hashable]]:
    """The whole text renumbered (see CitationRenumbering), stripped, and the cited sources in order."""
    renumbering = CitationRenumbering(passage_sources)
    renumbered = renumbering.feed(text) + renumbering.finish()
    return renumbered.strip(), renumbering.cited



def sources_used(text: str, passages: Sequence[tuple[str, Hashable]],
                 document: Callable[[Hashable], Hashable] = lambda source: source, *,
                 same_language: bool = True) -> list[Hashable]:
    """For an answer that cites no passage: of `passages` (text, source, best first), the first
    document (retrieval's first choice is right most often; an answer may repeat a sibling's pointer
    to it, "kijk dan bij Ziekmelding") and the documents it took its words from: the one whose
    passages hold most of the answer's telling words, then each that holds one the chosen do not.
    Listed in the passages' order, by their first source; every document when no passage holds any
    of the words, or when the answer is in another language than the passages (`same_language`
    False: the words an English answer shares with Dutch passages, "model", "document", are chance)."""
    answer = set(telling_words(text)) if same_language else set()
    held: dict[Hashable, set[str]] = {}
    first: dict[Hashable, Hashable] = {}
    for passage, source in passages:
        first.setdefault(document(source), source)
        held.setdefault(document(source), set()).update(answer & set(telling_words(passage)))
    chosen: set[Hashable] = set()
    covered: set[str] = set()
    while True:
        key, words = max(((k, w - covered) for k, w in held.items() if k not in chosen),
                         key=lambda item: len(item[1]), default=(None, set()))
        if not words:
            break
        chosen.add(key)
        covered |= words
    leading = next(iter(first), None)
    return [source for key, source in first.items() if key in chosen or key == leading or not chosen]
