"""Text -> sentences. One splitter with two explicit ways of reading, because its callers need
different things from it:

- a reader's sentences (the default): the pieces the answer selection shows or leaves out one by
  one, and a summary quotes. A sentence ends at ".", "!" or "?" (a closing quote or bracket after
  it) before a capital or digit, never after an abbreviation ("bijv.", "o.a.") or an initial ("J. de
  Vries"): a fragment like "bijv." alone would be shown as if it were a sentence.
- clauses (``at_clauses=True``): where the chunker may cut a paragraph that is too long for one
  chunk. Also after ":" and ";" and before a bullet or dash, and without looking at abbreviations:
  the chunker joins the pieces again with a space until its budget is spent, so a cut too many
  costs nothing, and more places to cut fill chunks more evenly.

:func:`sentence_ends` finds where a text may be cut short after a whole sentence.
"""

from __future__ import annotations

import re

from language.words import ABBREVIATIONS

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9À-Ý])")
_CLAUSE_END = re.compile(r"(?<=[.!?:;])\s+(?=[\"'(\[]?[A-Z0-9À-Ý•\-])")
_ANY_END = re.compile(r"[.!?][*_\"')\]]*(?=\s)")  # its closing emphasis or quote kept


def split_sentences(text: str, *, at_clauses: bool = False) -> list[str]:
    """The sentences of `text` in order (module docstring); with `at_clauses`, its clauses as they
    stand in the text, spaces at their ends included."""
    if at_clauses:
        return [s for s in _CLAUSE_END.split(text) if s.strip()]
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start()].rsplit(" ", 1)[-1].rstrip(".!?\"')]").lower()
        if before in ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
            continue
        parts.append(text[start:match.start()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def sentence_ends(text: str) -> list[int]:
    """The positions right after each ".", "!" or "?" (with a closing emphasis, quote or bracket)
    that a space follows: where a text can be cut short after a whole sentence."""
    return [match.end() for match in _ANY_END.finditer(text)]
