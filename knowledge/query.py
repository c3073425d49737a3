"""A chat message -> the terms the full-text index should match, and the index's vocabulary: which
of its words count as a question's word (language/matching.py), how specific each is, and which
compounds of the question it can split into words of its own (language/compounds.py).

Employees write the way they talk: "hoe zit het eigenlijk met ...", "weet iemand even ...". The
index's Dutch analyser drops the Snowball stop words (de, het, hoe, ...), but not chat filler,
question words or verbs of asking, and not English function words (language/words.py,
FILLER_WORDS); in a BM25 sum every such word that happens to occur in a passage pulls it up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from language.compounds import split_compound
from language.detection import collection_language
from language.matching import MIN_TYPO_LETTERS, forms_in, one_typo_apart
from language.stemming import index_terms
from language.tokens import words_of
from language.words import FILLER_WORDS


def full_text_query(question: str, stop_words: frozenset[str] = FILLER_WORDS) -> str:
    """The question's words without chat filler; all of them when nothing else is left."""
    words = words_of(question)
    kept = [w for w in words if w not in stop_words]
    return " ".join(kept or words)


# The parts of a compound count half as much as the question's own words: "vakantiedagen" still
# finds a passage about "vakantie" and "dagen", but one that says "vakantiedagen" comes first.
# Measured on the sample company, developer-overheid and kadaster-aktemodellen (bench/README.md,
# "Compounds, fusion weight, versions and declining"); 0.3, 0.7 and 1.0 were within 0.01 MRR@10.
PARTS_WEIGHT = 0.5
# Words translated from the question's language into the index's (knowledge/crosslingual.py) stand
# for the question's own words and weigh as much. On the sample company and developer-overheid 0.5,
# 1.0 and 1.5 rank every question alike in hybrid search (the tie goes to 1.0); on
# kadaster-aktemodellen 1.0 and 1.5 find an English question that 0.5 and no translation miss
# (bench/README.md, "English questions over Dutch documents").
TRANSLATED_WEIGHT = 1.0
# A word the index takes in no inflection is also searched as the index's words one typo away from
# it ("vrijwillger" -> "vrijwilliger"), at this weight: a correction may be wrong ("bakken" ->
# "pakken"), so it adds to the question's own words. What names a passage (its document's name,
# title and headings: knowledge/models.py, Chunk.name_text) is a full-text column of its own; a
# match there adds this much to one in the passage. Both chosen leave-one-corpus-out on the eight
# dev corpora (0, 0.5, 1.0 and 0, 0.25, 0.5, 1.0, 2.0): every fold chose 0.5 and 0.5 by mean hybrid
# MRR@10 (bench/README.md, "Typos and the names of passages").
CORRECTED_WEIGHT = 0.5
NAME_WEIGHT = 0.5


@dataclass(frozen=True)
class TextQuery:
    """What the full-text search matches: the question's terms, the parts of its compounds that
    the index knows as words of their own, at `parts_weight`, its words translated into the
    index's language, at `translated_weight`, and the index's words one typo away from those it
    takes in no form, at `corrected_weight`; each in the passages' text and, at `name_weight` more,
    in what names them."""

    terms: str
    parts: str = ""
    parts_weight: float = PARTS_WEIGHT
    translated: str = ""
    translated_weight: float = TRANSLATED_WEIGHT
    corrected: str = ""
    corrected_weight: float = CORRECTED_WEIGHT
    name_weight: float = NAME_WEIGHT
    # A question in another language than the index: each of its terms that could be looked up ->
    # the index's words it stands for (knowledge/crosslingual.py, glossary); None: not looked up.
    glossary: Mapping[str, frozenset[str]] | None = None

    def lance_query(self, column: str, name_column: str | None = None):
        """The LanceDB full-text query on `column` (and, at `name_weight`, on `name_column`): any
        of its parts may match, so a passage with only the compound's parts is found too."""
        from lancedb.query import BooleanQuery, MatchQuery, Occur

        weighted = [(words, weight) for words, weight in ((self.terms, 1.0), (self.parts, self.parts_weight),
                                                          (self.translated, self.translated_weight),
                                                          (self.corrected, self.corrected_weight)) if words.strip()]
        columns = [(column, 1.0), *([(name_column, self.name_weight)] if name_column and self.name_weight else [])]
        queries = [MatchQuery(words, name, boost=weight * boost)
                   for name, boost in columns for words, weight in weighted]
        if len(queries) == 1:
            return queries[0]
        return BooleanQuery([(Occur.SHOULD, query) for query in queries])


def text_query(question: str, vocabulary: "Vocabulary | None") -> TextQuery:
    """The question's terms (full_text_query) and, with a vocabulary, the parts of its compounds
    ("vakantiedagen" -> "vakantie dagen" when the index has both words) and its typos' corrections."""
    terms = full_text_query(question)
    if vocabulary is None:
        return TextQuery(terms)
    words = terms.split()
    parts = [part for word in words for part in vocabulary.compound_parts(word) if part not in words]
    corrected = [typo for word in words for typo in vocabulary.corrections(word)]
    return TextQuery(terms, " ".join(dict.fromkeys(parts)), corrected=" ".join(dict.fromkeys(corrected)))


class Vocabulary:
    """The words of an index and in how many chunks each occurs. A question word counts as a word
    of the index when they differ only by Dutch inflection (the same beginning, at most a few
    letters more or less: "goedkeurt"/"goedkeuren"), when it is the beginning or end of a compound
    ("vergoeding" in "thuiswerkvergoeding"), or, if neither, when it is one typo (one letter
    inserted, dropped, changed or two swapped) away from a word of the index ("devloper"):
    language/matching.py, `forms_in`."""

    def __init__(self, texts: list[str], *, index_language: str = "Dutch") -> None:
        self.chunks = len(texts)
        self.index_language = index_language  # the full-text analyser's (knowledge/index/store.py)
        postings: dict[str, set[int]] = {}
        for n, text in enumerate(texts):
            for word in set(words_of(text)):
                postings.setdefault(word, set()).add(n)
        self._postings = postings
        self._forms: dict[str, frozenset[str]] = {}
        self._frequencies: dict[str, int] | None = None
        self._language: str | None = None
        self._terms: frozenset[str] | None = None

    @property
    def language(self) -> str:
        """The language most of the index's chunks are in, 'nl' or 'en' (language/detection.py)."""
        if self._language is None:
            self._language = collection_language(lambda word: len(self._postings.get(word, ())))
        return self._language

    def holds(self, word: str) -> bool:
        """Whether some chunk holds exactly this word."""
        return word.lower() in self._postings

    def chunks_with(self, word: str) -> frozenset[int]:
        """The chunks (numbered in the order they were given) holding exactly this word."""
        return frozenset(self._postings.get(word.lower(), ()))

    def forms(self, word: str) -> frozenset[str]:
        """The index's words that count as `word` (empty: the index has never seen it)."""
        word = word.lower()
        if word not in self._forms:
            self._forms[word] = frozenset(forms_in(word, self._postings.keys()))
        return self._forms[word]

    def chunk_frequency(self, word: str) -> int:
        """In how many chunks the word occurs, in any of its forms."""
        return len(set().union(*(self._postings[f] for f in self.forms(word))))

    def idf(self, word: str) -> float:
        """How specific the word is for this index: rare words weigh more, unseen ones most."""
        return math.log((self.chunks + 1) / (self.chunk_frequency(word) + 0.5))

    def corrections(self, word: str) -> tuple[str, ...]:
        """The index's words one typo away from `word` ("vrijwillger" -> "vrijwilliger"), when the
        full-text index takes `word` in none of its inflections (language/stemming.py): a word the
        index knows in another form is no typo ("kregen", "gekregen"). Numbers and words shorter
        than 5 letters are left as they are: too many of them are a letter away from another."""
        word = word.lower()
        if word.isdigit() or len(word) < MIN_TYPO_LETTERS or word in self._postings:
            return ()
        if not self.index_terms.isdisjoint(index_terms(self.index_language).terms(word)):
            return ()
        return tuple(sorted(known for known in self._postings if one_typo_apart(word, known)))

    @property
    def index_terms(self) -> frozenset[str]:
        """The terms the full-text index keeps for the index's words (language/stemming.py)."""
        if self._terms is None:
            analyser = index_terms(self.index_language)
            self._terms = frozenset(term for known in self._postings for term in analyser.terms(known))
        return self._terms

    def compound_parts(self, word: str) -> tuple[str, ...]:
        """`word` split into two words of the index ("vakantiedagen" -> "vakantie", "dagen"); empty
        when it is no such compound. Numbers are not split."""
        if word.isdigit():
            return ()
        if self._frequencies is None:
            self._frequencies = {w: len(chunks) for w, chunks in self._postings.items()}
        return split_compound(word.lower(), self._frequencies)
