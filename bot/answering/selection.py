"""Only what answers the question in front of the model: the sentences of the retrieved passages
that matter for it, and the best of them as an instant preview.

On a CPU the first token waits for every prompt token, so the prompt is the user's wait. Whole
chunks carry a lot the question does not ask about; this module cuts them to their relevant parts:

1. Hits of one section (same document and heading path, e.g. neighbouring chunks) are merged into
   one excerpt; their text is split into segments: sentences, list items, table rows and code
   blocks (never cut inside one, so numbers, list items and table rows stay whole).
2. Boilerplate goes: image markup, link targets inside the documents (a link's text stays; a web
   address stays written out), emphasis markup, one-word lines ("Beta"), a segment repeating the
   title or a heading, and any segment already shown (the chunker's overlap, repeated footers).
3. Each segment is scored on the question: the IDF-weighted share of the question's content words
   it holds (Dutch inflection, compounds and typos as the refusal policy counts them; a word of its
   section's title or headings counts too), a bonus for a number when the question asks for an
   amount, and, for an embedding model that reads Dutch, its similarity of question and segment
   (scaled over the candidates; at most `MAX_EMBEDDED` segments embedded per question, vectors kept).
   A question in another language than the passages brings its words as the search translated them
   (knowledge/crosslingual.py): they count as its words, in place of those the index never holds.
4. The best segments are taken until the token budget is spent or the score falls below
   `MIN_RELATIVE_SCORE` of the best, each with what it needs to make sense: the sentence before one
   that starts with a referring word ("Dit", "Daarnaast"), a list's lead-in line, a table's header
   row. A lead-in that is taken brings its list items while they fit. The best segment of the best
   hit is always kept: retrieval's own first choice is right most often (bench/README.md); so is,
   before the rest, the best segment of the next document (`DOCUMENTS_KEPT`), when it is worth its
   tokens: near-identical documents rank close and the right one may be the second.
5. The preview is the kept segment of the best hit's document that holds most of the question's words itself
   (with its lead-in, or a table row as "column: value"), and the next sentence when it is short;
   the same is picked of every other document kept (a quote may take the next one's).
6. Excerpts keep the hits' order (the passage numbers [1], [2], … and their sources follow the
   retrieval), and inside an excerpt the segments keep the document's order, "…" marking a gap.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from bot.answering.segments import Section, Segment, is_named_row, render, sections_of, with_needs
from knowledge.query import Vocabulary
from language.calibration import calibration_for
from language.compounds import is_head
from language.matching import Matching, same_word
from language.questions import asks_amount, has_number, question_terms
from language.tokens import words_of

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder
    from knowledge.models import Hit

# Measured on the sample company and developer-overheid together (bench/README.md, "Half the
# prompt"); each value is as good or better on both, none is fitted to one corpus. The weight of the
# embedding similarity depends on the model: language/calibration.py.
HEADING_WEIGHT = 1.0  # a question word in the section's title or headings counts as if in the segment
NUMBER_BONUS = 0.15  # a question asking for an amount prefers segments holding a number
MIN_RELATIVE_SCORE = 0.35  # segments scoring below this share of the best are not worth their tokens
# The best segment of each of the first this many documents is kept before the rest is filled by
# score: near-identical documents (a bank's model and its neighbour's, a text block and the deed
# that includes it) rank close, and the one the question means must reach the model's eyes even when
# its sibling's sentences score a little higher. Chosen leave-one-corpus-out (bench/README.md).
DOCUMENTS_KEPT = 2
MAX_EMBEDDED = 24  # segments embedded per question (MiniLM, 2 CPU cores: ~3 ms each)
PREVIEW_CHARS = 320  # at most this much text in a preview
_SHORT_PREVIEW = 90  # a best sentence shorter than this takes its neighbour along in the preview
_VECTOR_CACHE = 4096  # segment vectors kept (by text), so popular passages are embedded once
_JOIN_TOKENS = 1  # a newline or space between segments
_GAP_TOKENS = 2  # the "…" line where something was left out

@dataclass(frozen=True)
class Excerpt:
    """The kept part of one section of a document, in the document's order."""

    hit: "Hit"
    text: str


@dataclass(frozen=True)
class Selection:
    excerpts: list[Excerpt]
    preview: Excerpt | None  # the best sentence or two, with the hit they come from
    # The best sentence or two of each other document kept, in the order of the documents' best hits.
    others: list[Excerpt] = field(default_factory=list)
    segments: int = 0  # candidates scored
    embedded: int = 0  # candidates embedded for this question (not found among the kept vectors)


class SentenceSelector:
    """Selects the sentences of the retrieved passages that answer the question (module docstring).

    `embedder`: the retriever's embedding model (None: word scores only); `semantic_weight`: how much
    its similarity counts (None: calibrated for that model, language/calibration.py; 0: not asked). Deterministic:
    the same question and hits give the same selection.
    """

    def __init__(self, embedder: "Embedder | None" = None, *, max_embedded: int = MAX_EMBEDDED,
                 semantic_weight: float | None = None, min_relative_score: float = MIN_RELATIVE_SCORE,
                 documents_kept: int = DOCUMENTS_KEPT) -> None:
        self.embedder = embedder
        self.max_embedded = max_embedded
        self.semantic_weight = (calibration_for(str(getattr(embedder, "name", ""))).semantic_weight
                                if semantic_weight is None else semantic_weight)
        self.min_relative_score = min_relative_score
        self.documents_kept = documents_kept
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def select(self, question: str, hits: Sequence["Hit"], *, count_tokens: Callable[[str], int], budget: int,
               block: Callable[["Hit", str], str], vocabulary: Vocabulary | None = None,
               query_vector: np.ndarray | None = None, translated: Sequence[str] = ()) -> Selection:
        """The excerpts of `hits` (best first) that fit in `budget` tokens, each counted as
        `block(hit, text)` shows it in the prompt (plus a blank line), and the preview.
        `query_vector`: the question's embedding, when the search already made it; `translated`:
        the question's words in the passages' language, as the search translated them."""
        sections = sections_of(hits)
        if not sections:
            return Selection([], None)
        segments = [(n, i, s) for n, section in enumerate(sections) for i, s in enumerate(section.segments)]
        for section in sections:
            section.header_tokens = count_tokens(block(section.hit, "")) + 2  # the blank line between passages
            for segment in section.segments:
                segment.tokens = count_tokens(segment.text) + _JOIN_TOKENS
        embedded = self._score(question, sections, segments, vocabulary, query_vector, translated)
        chosen = self._choose(sections, segments, budget)
        _fit(sections, chosen, count_tokens, budget, block)
        excerpts = [Excerpt(section.hit, render(section.segments, chosen[n]))
                    for n, section in enumerate(sections) if chosen[n]]
        best, *others = _previews(sections, segments, chosen) or [None]
        return Selection(excerpts, best, others, len(segments), embedded)

    # --- scoring -------------------------------------------------------------------------------
    def _score(self, question: str, sections: list[Section], segments: list[tuple[int, int, Segment]],
               vocabulary: Vocabulary | None, query_vector: np.ndarray | None = None,
               translated: Sequence[str] = ()) -> int:
        terms = _terms(question, vocabulary, translated)
        weights = _term_weights(terms, vocabulary, [s.text for _, _, s in segments])
        total = sum(weights.values())
        amount = asks_amount(question)
        context_words = [set(words_of(" ".join((s.hit.chunk.title, *s.hit.chunk.headings)))) for s in sections]
        for n, _, segment in segments:
            if segment.kind == "heading" or total <= 0:
                continue
            words = set(words_of(segment.text))
            context = context_words[n]
            if segment.kind == "row" and segment.needs and sections[n].segments[segment.needs[0]].kind == "row":
                context = context | set(words_of(sections[n].segments[segment.needs[0]].text))  # its columns
            own = in_context = 0.0
            for term, weight in weights.items():
                if _holds(term, words, vocabulary):
                    own += weight
                elif _holds(term, context, vocabulary):
                    in_context += HEADING_WEIGHT * weight
            segment.own = own / total + (NUMBER_BONUS if amount and has_number(segment.text) else 0.0)
            segment.lexical = segment.own + in_context / total
        embedded = 0
        if self.embedder is not None and self.semantic_weight > 0:
            embedded = self._semantic(question, sections, segments, query_vector)
        for _, _, segment in segments:
            segment.score = segment.lexical + self.semantic_weight * segment.semantic
        return embedded

    def _semantic(self, question: str, sections: list[Section], segments: list[tuple[int, int, Segment]],
                  query_vector: np.ndarray | None = None) -> int:
        """Embedding similarity, scaled to 0..1 over the candidates that were embedded: the best-ranked
        hits' segments with the most question words first, at most `max_embedded`."""
        assert self.embedder is not None
        candidates = [s for _, _, s in sorted(segments, key=lambda item: (-item[2].lexical, item[0], item[1]))
                      if s.kind != "heading"][: self.max_embedded]
        if not candidates:
            return 0
        with self._lock:
            missing = list(dict.fromkeys(s.text for s in candidates if s.text not in self._vectors))
        if missing:
            vectors = self.embedder.embed_documents(missing)
            with self._lock:
                for text, vector in zip(missing, vectors):
                    self._vectors[text] = vector
                while len(self._vectors) > _VECTOR_CACHE:
                    self._vectors.popitem(last=False)
        query = self.embedder.embed_query(question) if query_vector is None else query_vector
        with self._lock:
            similarities = [float(np.dot(self._vectors[s.text], query)) if s.text in self._vectors else 0.0
                            for s in candidates]
        low, high = min(similarities), max(similarities)
        for segment, similarity in zip(candidates, similarities):
            segment.semantic = (similarity - low) / (high - low) if high > low else 1.0
        return len(missing)

    # --- choosing ------------------------------------------------------------------------------
    def _choose(self, sections: list[Section], segments: list[tuple[int, int, Segment]],
                budget: int) -> list[set[int]]:
        chosen: list[set[int]] = [set() for _ in sections]
        used = 0

        def cost(n: int, positions: set[int]) -> int:
            new = positions - chosen[n]
            extra = sum(sections[n].segments[i].tokens for i in new)
            after = chosen[n] | new
            gaps = sum(1 for i in new if i - 1 not in after and i + 1 not in after)  # a "…" line, at most
            return extra + _GAP_TOKENS * gaps + (sections[n].header_tokens if not chosen[n] and new else 0)

        def take(n: int, i: int) -> bool:
            nonlocal used
            positions = with_needs(sections[n].segments, i) - chosen[n]
            if not positions:
                return True
            price = cost(n, positions)
            if used + price > budget and any(chosen):
                return False
            chosen[n].update(positions)
            used += price
            return True

        ranked = sorted((item for item in segments if item[2].kind != "heading"),
                        key=lambda item: (-item[2].score, item[0], item[1]))
        if not ranked:
            return chosen
        best = ranked[0][2].score
        first = max(((0, i, s) for i, s in enumerate(sections[0].segments) if s.kind != "heading"),
                    key=lambda item: (item[2].score, -item[1]), default=None)
        # Retrieval's first choice, then the best segment of all (the answer sentence most often),
        # then the next documents' best: a second document never costs the first its best sentence.
        kept_first = ([first] if first else []) + ranked[:1]
        kept_first += [item for item in _best_of_documents(sections, segments)[1:self.documents_kept]
                       if item[2].score >= self.min_relative_score * best]
        for n, i, segment in kept_first + ranked:
            if chosen[n] and i in chosen[n]:
                continue
            if segment.score < self.min_relative_score * best and any(chosen):
                break
            if take(n, i):
                for follower in segment.followers:  # a lead-in announces its list: as much of it as fits
                    if not take(n, follower):
                        break
        if sum(map(len, chosen)) == 0:  # nothing fitted: the best hit's first segment, cut if need be
            chosen[0].add(next(i for i, s in enumerate(sections[0].segments) if s.kind != "heading"))
        return chosen


def _fit(sections: list[Section], chosen: list[set[int]], count_tokens: Callable[[str], int], budget: int,
         block: Callable[["Hit", str], str]) -> None:
    """Counted as they will be shown ("…" marks, line breaks), the excerpts may come out a few tokens
    over the budget: the lowest-scoring kept segments (and what leans on them) go until they fit; a
    segment others lean on scores as the best of them."""
    def shown() -> int:
        return sum(count_tokens(block(section.hit, render(section.segments, chosen[n]))) + 2
                   for n, section in enumerate(sections) if chosen[n])

    def weight(segments: list, kept: set[int], i: int) -> float:
        """A segment is worth the best of itself and the kept segments that lean on it (a table's
        header is worth its best row), so what the answer needs goes last."""
        return max([segments[i].score, *(segments[j].score for j in kept if j != i and i in with_needs(segments, j))])

    while shown() > budget:
        kept = [(weight(section.segments, chosen[n], i), -n, -i, n, i) for n, section in enumerate(sections)
                for i in chosen[n] if section.segments[i].kind != "heading"]
        if len(kept) <= 1:
            return
        *_, n, i = min(kept)
        segments = sections[n].segments
        before = [set(positions) for positions in chosen]
        chosen[n] -= {j for j in chosen[n] if i in with_needs(segments, j)}
        # a lead-in whose list is gone, and a heading nothing kept is under any more, go too
        chosen[n] -= {j for j in chosen[n] if segments[j].followers and not chosen[n] & set(segments[j].followers)
                      and any(chosen)}
        needed = set().union(*(with_needs(segments, j) for j in chosen[n] if segments[j].kind != "heading"))
        chosen[n] &= needed
        if not any(chosen):  # the last segment and what it needs (a row and its header) stay: cut to fit
            chosen[:] = before
            return


def _terms(question: str, vocabulary: Vocabulary | None, translated: Sequence[str]) -> list[str]:
    """The question's content words; with translations, those the index holds (a word of another
    language it never saw weighs most and is in no passage: it would only thin out the others'
    shares) and the translations."""
    terms = question_terms(question)
    if not translated:
        return terms
    if vocabulary is not None:
        terms = [term for term in terms if vocabulary.chunk_frequency(term)]
    return list(dict.fromkeys([*terms, *(word.lower() for word in translated)]))


def _term_weights(terms: list[str], vocabulary: Vocabulary | None, texts: list[str]) -> dict[str, float]:
    """IDF per question term: over the index when its vocabulary is known, else over the candidates."""
    if vocabulary is not None:
        return {term: max(vocabulary.idf(term), 0.0) for term in terms}
    documents = [set(words_of(t)) for t in texts]
    weights = {}
    for term in terms:
        frequency = sum(any(same_word(term, w, mode=Matching.SEARCH) for w in words) for words in documents)
        weights[term] = math.log((len(documents) + 1) / (frequency + 0.5))
    return {term: max(weight, 0.0) for term, weight in weights.items()}


def _holds(term: str, words: set[str], vocabulary: Vocabulary | None) -> bool:
    """The term or a form of it (inflection, typo, compound: language/matching.py) is among the
    words; also as the last part of a compound of any length ("jaar" in "kalenderjaar": a Dutch
    compound is the kind of thing its last part names)."""
    if term in words:
        return True
    if vocabulary is not None and vocabulary.forms(term) & words:
        return True
    return any(same_word(term, w, mode=Matching.SEARCH) or is_head(term, w) for w in words)


def _best_of_documents(sections: list[Section],
                       segments: list[tuple[int, int, Segment]]) -> list[tuple[int, int, Segment]]:
    """The best-scoring segment of each document, the documents in the order of their best hit."""
    best: dict[tuple[str, str], tuple[int, int, Segment]] = {}
    for n, i, segment in segments:
        if segment.kind == "heading":
            continue
        document = _document(sections[n])
        if document not in best or segment.score > best[document][2].score:
            best[document] = (n, i, segment)
    return list(best.values())


def _document(section: Section) -> tuple[str, str]:
    return section.hit.chunk.collection, section.hit.chunk.doc_id


def _previews(sections: list[Section], segments: list[tuple[int, int, Segment]],
              chosen: list[set[int]]) -> list[Excerpt]:
    """The best kept segment of each document with what it needs (a table row as "header: value"),
    and its neighbour when it is short: first of the best hit's document (retrieval's first choice is
    right most often), then of the others in retrieval's order."""
    kept = [(n, i, s) for n, i, s in segments if i in chosen[n] and s.kind not in ("heading", "code")]
    per_document: dict[tuple[str, str], list[tuple[int, int, Segment]]] = {}
    for item in kept:
        per_document.setdefault(_document(sections[item[0]]), []).append(item)
    if not kept:
        return []
    # The best hit's document first; when nothing of it can be quoted, the best of all kept.
    best = _preview(sections, per_document.pop(_document(sections[0]), kept), chosen)
    per_document.pop((best.hit.chunk.collection, best.hit.chunk.doc_id), None)
    return [best, *(_preview(sections, group, chosen) for group in per_document.values())]


def _preview(sections: list[Section], kept: list[tuple[int, int, Segment]], chosen: list[set[int]]) -> Excerpt:
    """The best of `kept` (segments of one document) as a quote."""
    # A quote is read without its headings: ranked by the question words it holds itself.
    n, i, best = max(kept, key=lambda item: (item[2].own + item[2].semantic, item[2].score, -item[0], -item[1]))
    section = sections[n].segments
    if is_named_row(best):
        text = best.text  # "column: value; …" reads on its own
    elif best.kind == "row" and best.needs and section[best.needs[0]].kind == "row":
        text = _row_as_text(section[best.needs[0]].text, best.text)
    else:
        parts = [section[j].text for j in sorted(with_needs(section, i)) if section[j].kind != "heading"]
        text = " ".join(parts)
        following = i + 1
        if (len(text) < _SHORT_PREVIEW and following in chosen[n] and section[following].block == best.block
                and section[following].kind == best.kind):
            text = f"{text} {section[following].text}"
    return Excerpt(sections[n].hit, _shorten(text, PREVIEW_CHARS))


def _row_as_text(header: str, row: str) -> str:
    names = [c.strip() for c in header.strip().strip("|").split("|")]
    values = [c.strip() for c in row.strip().strip("|").split("|")]
    return "; ".join(f"{name}: {value}" if name else value for name, value in zip(names, values) if value)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
