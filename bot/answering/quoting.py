"""The quote that stands in for an answer the model could not write: the best sentences of the first
document found and, beside them, of the next one when the search found it nearly as well; the
document's own words, marked as a quote, with their sources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from bot.answering.types import Source
from language.sentences import sentence_ends

if TYPE_CHECKING:
    from knowledge.models import Hit

# The model wrote nothing usable (nothing, a copy of the prompt or the question, words none of the
# passages says): nothing is invented; what fits the question best is quoted, marked as a quote.
QUOTED = {"nl": "Ik kon hier geen eigen antwoord op schrijven. Dit staat in de documenten die het best bij "
                "je vraag passen (letterlijk):",
          "en": "I could not write an answer of my own. This is what the documents that fit your question "
                "best say (word for word):"}
QUOTE_CHARS = 600  # at most this much of the passages is quoted
MIN_SECOND_QUOTE_CHARS = 80  # a second passage is quoted only when this much room is left for it
# The next document found is quoted beside the first (its best sentences) when retrieval found it
# nearly as well: its best hit's score at least this share of the first document's, or a passage of
# it at least as close to the question in the embedding as any of the first's (the two halves of a
# hybrid search disagree on which document it is). Near-identical documents (a text block and the
# deed that includes it, two banks' models) rank close, and a reader then sees both rather than a
# coin toss between them. Chosen leave-one-corpus-out (bench/README.md).
QUOTE_SECOND_DOCUMENT = 0.8


def document_score(hits: Sequence["Hit"], source: Source, measure: str = "score") -> float:
    """The best search score (`measure` "relevance": closeness to the question in the embedding) among
    the hits of `source`'s document (0: none among them)."""
    return max((getattr(h, measure) for h in hits
                if (h.chunk.collection, h.chunk.doc_id) == (source.collection, source.path)), default=0.0)


def found_nearly_as_well(hits: Sequence["Hit"], following: Source, first: Source,
                         share: float = QUOTE_SECOND_DOCUMENT) -> bool:
    """Whether the search found `following`'s document nearly as well as `first`'s: its best score at
    least `share` of the first's, or its best passage at least as close to the question."""
    return document_score(hits, following) >= share * document_score(hits, first) or closer_to_question(
        hits, following, first)


def closer_to_question(hits: Sequence["Hit"], following: Source, first: Source) -> bool:
    """`following`'s best passage is at least as close to the question in the embedding as `first`'s."""
    return document_score(hits, following, "relevance") >= document_score(hits, first, "relevance")


def quote_blocks(quotes: Sequence[tuple[str, Source]]) -> tuple[list[str], list[Source]]:
    """Each (text, source) as a quoted block ending in its source's number, QUOTE_CHARS in all; a
    later one only when MIN_SECOND_QUOTE_CHARS are left for it. The blocks and their sources."""
    blocks: list[str] = []
    sources: list[Source] = []
    left = QUOTE_CHARS
    for text, source in quotes:
        if blocks and left < MIN_SECOND_QUOTE_CHARS:
            break
        excerpt = _excerpt(text, left)
        left -= len(excerpt)
        if source not in sources:
            sources.append(source)
        lines = [f"> {line}".rstrip() for line in excerpt.splitlines()]
        blocks.append("\n".join(lines) + f" [{sources.index(source) + 1}]")
    return blocks, sources


def _excerpt(text: str, limit: int) -> str:
    """The start of a passage, cut after a whole sentence (or word) within `limit` characters; never
    after a line that only announces what follows ("… bestaan uit twee delen:")."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = sentence_ends(cut)
    if ends and ends[-1] >= limit // 3:
        return cut[:ends[-1]].rstrip()
    return cut.rsplit(" ", 1)[0].rstrip() + " …"
