"""A question in another language than the documents: its words translated for the full-text half.

The vector half needs no help (a multilingual embedder puts "colour" near "kleur"); the full-text
half does: an English question's words are not in Dutch passages, or are there in another sense.
So when the question's language (language/detection.py) differs from the index's (its vocabulary's
function words), each content word of the question that the index does not hold itself is looked
up in a bilingual dictionary (language/translation.py), and one of its translations is added to the
full-text query, at half weight (knowledge/query.py, TRANSLATED_WEIGHT). A dictionary gives several
senses ("documents" -> "document", "akte", "papier", "stuk"; "shown" -> "tonen", "tekenen", "merken");
the one kept is the translation the index holds that occurs most often in the same passages as
the other words of the question (their own or translated): words of one question are about one
thing, and a corpus says which sense its passages use (co-occurrence, as in cross-language
retrieval since Ballesteros and Croft). Two neighbouring words may be one Dutch compound ("model
documents" -> "modeldocument", "text block" -> "tekstblok"): each joining the index holds is added too.
Numbers, function words and filler are not translated; a question in the index's language is
searched as it always was.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Mapping

from knowledge.query import TextQuery, Vocabulary, text_query
from language.compounds import joined
from language.detection import detect_language
from language.questions import question_terms, telling_words
from language.translation import BilingualDictionary, base_forms, inflections

__all__ = ["GlossedVocabulary", "TranslatingQuery", "glossary"]


class TranslatingQuery:
    """`(question, vocabulary) -> TextQuery`, as the Retriever's `query_terms`: knowledge/query.py's
    `text_query`, plus the question's words translated into the index's language when the two differ
    and a dictionary for that pair is at hand (module docstring)."""

    def __init__(self, dictionaries: Mapping[tuple[str, str], BilingualDictionary]) -> None:
        self.dictionaries = dict(dictionaries)

    def __call__(self, question: str, vocabulary: Vocabulary | None) -> TextQuery:
        query = text_query(question, vocabulary)
        if vocabulary is None or not self.dictionaries:
            return query
        dictionary = self.dictionaries.get((detect_language(question), vocabulary.language))
        if dictionary is None:
            return query
        translated = translated_words(query.terms, dictionary, vocabulary)
        return replace(query, translated=" ".join(translated), glossary=glossary(question, dictionary, vocabulary))


def translated_words(terms: str, dictionary: BilingualDictionary, vocabulary: Vocabulary) -> list[str]:
    """The words to add to a full-text query of `terms` (module docstring), each once."""
    words = [w for w in telling_words(terms) if not w.isdigit()]
    options = {word: _options(word, dictionary, vocabulary) for word in words}
    chosen: list[str] = []
    for word, candidates in options.items():
        if candidates.keys() & set(base_forms(word, dictionary.source)):
            continue  # the index holds the word itself
        others = [o for w, o in options.items() if w != word and o]
        best = max(candidates, key=lambda t: (_together(candidates[t], others), len(candidates[t]), t), default=None)
        if best is not None:
            chosen.append(best)
    if dictionary.target == "nl":
        chosen += _compounds(words, dictionary, vocabulary)
    return list(dict.fromkeys(chosen))


def glossary(question: str, dictionary: BilingualDictionary, vocabulary: Vocabulary) -> dict[str, frozenset[str]]:
    """Each term of the question (language/questions.py, question_terms) -> the index's words it
    stands for: the term itself, as written or in a base form, when the index holds it (Dutch
    documents are full of English terms: "laptop", "meeting", "data"); else its translations that
    the index holds in some inflection, every sense, as the search looks them up (empty: the
    dictionary lists the term, the index holds none of its translations). A term the index does not
    hold and the dictionary does not translate into a word that tells something is left out:
    nothing can be said about it."""
    found = {}
    for term in question_terms(question):
        own = [form for form in base_forms(term, dictionary.source) if vocabulary.holds(form)]
        if own:
            found[term] = frozenset(own)
        elif any(telling_words(t) for t in dictionary.translations(term)):
            found[term] = frozenset(_held_translations(term, dictionary, vocabulary))
    return found


class GlossedVocabulary:
    """An index's vocabulary as a question in another language sees it, through the question's
    glossary: a term's forms are the inflections of the index's words it stands for that the index
    holds, and it is as specific as they are together; a term left out of the glossary has no forms
    and weighs nothing."""

    def __init__(self, vocabulary: Vocabulary, glossary: Mapping[str, frozenset[str]]) -> None:
        self.vocabulary = vocabulary
        self.glossary = glossary
        self.language = vocabulary.language

    def forms(self, term: str) -> frozenset[str]:
        return frozenset(form for word in self.glossary.get(term, ()) for form in inflections(word, self.language)
                         if self.vocabulary.holds(form))

    def idf(self, term: str) -> float:
        if term not in self.glossary:
            return 0.0
        chunks = frozenset().union(*(self.vocabulary.chunks_with(form) for form in self.forms(term)))
        return math.log((self.vocabulary.chunks + 1) / (len(chunks) + 0.5))

    def compound_parts(self, term: str) -> tuple[str, ...]:
        return ()


def _options(word: str, dictionary: BilingualDictionary, vocabulary: Vocabulary) -> dict[str, frozenset[int]]:
    """What `word` may be in the index, each with the chunks holding it: the word itself (or its base
    form) when the index holds it, else its translations that the index holds."""
    for form in base_forms(word, dictionary.source):
        chunks = vocabulary.chunks_with(form)
        if chunks:
            return {form: chunks}
    return _held_translations(word, dictionary, vocabulary)


def _held_translations(word: str, dictionary: BilingualDictionary, vocabulary: Vocabulary) -> dict[str, frozenset[int]]:
    """`word`'s translations that the index holds in some inflection, each with the chunks holding
    it; a translation that is a preposition or pronoun names no subject and is left out."""
    found = {}
    for translation in dictionary.translations(word):
        if telling_words(translation) and (chunks := _chunks_with(translation, dictionary.target, vocabulary)):
            found[translation] = chunks
    return found


def _together(chunks: frozenset[int], others: list[dict[str, frozenset[int]]]) -> float:
    """How often the other words of the question occur in the chunks holding this one: per other
    word its best option's share of these chunks, summed."""
    return sum(max(len(chunks & theirs) for theirs in option.values()) for option in others) / len(chunks)


def _compounds(words: list[str], dictionary: BilingualDictionary, vocabulary: Vocabulary) -> list[str]:
    """Neighbouring words joined as one Dutch compound, each as written, in its base forms or
    translated, where the index holds the joining (its parts need not be words of their own there)."""
    found = []
    for first, second in zip(words, words[1:]):
        held = {c: len(_chunks_with(c, "nl", vocabulary)) for a in _spellings(first, dictionary)
                for b in _spellings(second, dictionary) for c in joined(a, b)
                if any(vocabulary.holds(f) for f in inflections(c, "nl"))}
        if held:  # one compound per pair: its spellings are one word to the stemmer, not several
            found.append(max(held, key=lambda c: (held[c], c)))
    return found


def _chunks_with(word: str, language: str, vocabulary: Vocabulary) -> frozenset[int]:
    """The chunks holding `word` in any inflection a text in `language` gives it."""
    return frozenset().union(*(vocabulary.chunks_with(f) for f in inflections(word, language)))


def _spellings(word: str, dictionary: BilingualDictionary) -> set[str]:
    return {*base_forms(word, dictionary.source), *dictionary.translations(word)}
