"""Where an answer's documents disagree: two of its sources say the same thing with a different value
of what the question asks for (two dates for one deadline, two numbers of days). The answer then
says so in one line and names both, each with its document and day, newest first (newest as the
search orders versions: knowledge/versions.py, newness).

Conservative on purpose, so that ordinary answers do not grow a warning: only a question that asks
for a value of a kind language/values.py can read (a date, a duration, an amount, ...); only the
passages the answer cites or quotes; only two sentences that make the same statement apart from the
value: of two versions of one document (knowledge/versions.py) most of their words in common
(SAME_STATEMENT_IN_VERSIONS), of two other documents nearly all (SAME_STATEMENT) and no word that
names either document among the ones they differ in (two banks' models each with their own number
agree with each other); and neither value among the other's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from bot.answering.prompts import Passage
from bot.answering.types import Answer, Source, day_label
from knowledge.models import document_name
from knowledge.versions import document_version, newness
from language.matching import Matching, same_word
from language.questions import question_terms, telling_words
from language.sentences import split_sentences
from language.tokens import words_of
from language.values import Value, asked_about, asked_value, same_value, values_in
from language.words import MONTHS

# Shares of a statement's words (Jaccard, the value's own words left out) two sentences must have in
# common to say the same thing: of versions of one document, of two documents.
SAME_STATEMENT_IN_VERSIONS = 0.5
SAME_STATEMENT = 0.8

DISAGREE = {
    "nl": "Let op: de documenten zeggen hier niet hetzelfde: {first} noemt {first_value}, {second} noemt "
          "{second_value}.",
    "en": "Note: the documents do not agree on this: {first} says {first_value}, {second} says {second_value}.",
}
QUOTES = {"nl": ("„", "”"), "en": ("“", "”")}


@dataclass(frozen=True)
class _Statement:
    """A sentence of a source that gives values of the asked kind."""

    source: Source
    words: frozenset[str]  # its telling words, without the values'
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Disagreement:
    """Two sources, each with the value it gives, the newer one first."""

    first: tuple[Source, str]
    second: tuple[Source, str]


def find_disagreement(question: str, texts: Sequence[tuple[Source, str]]) -> Disagreement | None:
    """The first two of these (source, text shown of it) that disagree on the value the question asks
    for (module docstring); None when they agree, or the question asks for no such value."""
    asked = asked_value(question)
    if asked is None:
        return None
    terms = asked_about(question) or question_terms(question)  # what the value is asked of, where it says
    statements = [s for source, text in texts for s in _statements(asked, source, text, terms)]
    for n, first in enumerate(statements):
        for second in statements[n + 1:]:
            if _one_file(first.source, second.source) or _any_same(first.values, second.values):
                continue
            if _same_statement(first, second):
                newer, older = _newer_first(first, second)
                return Disagreement((newer.source, newer.values[0].written), (older.source, older.values[0].written))
    return None


def with_disagreement(answer: Answer, passages: Sequence[Passage]) -> Answer:
    """The answer, and after its text the line that says where the documents it cites (or quotes)
    disagree, by what of them the prompt showed (`passages`), naming both by their number among its
    sources. A refusal is left as it is."""
    if answer.abstained or answer.curated is not None:
        return answer
    shown = [(source, p.body or p.hit.chunk.text) for source in answer.sources for p in passages
             if (p.hit.chunk.collection, p.hit.chunk.doc_id) == (source.collection, source.path)]
    found = find_disagreement(answer.question, shown)
    if found is None:
        return answer
    numbers = {source: n for n, source in enumerate(answer.sources, start=1)}
    return replace(answer, text=f"{answer.text}\n\n{disagreement_line(found, answer.language, numbers)}")


def disagreement_line(disagreement: Disagreement, language: str, numbers: dict[Source, int] | None = None) -> str:
    """The one line that says so, in the answer's language; `numbers`: the sources' [n] in the answer."""
    def named(source: Source) -> str:
        opening, closing = QUOTES.get(language, QUOTES["en"])
        label = f"{opening}{document_name(source.path)}{closing}"
        if numbers and source in numbers:
            label += f" [{numbers[source]}]"
        day = day_label(source.path, source.dated, source.dated_by, language, any_day=True)
        return f"{label} ({day})" if day else label

    (first, first_value), (second, second_value) = disagreement.first, disagreement.second
    return DISAGREE.get(language, DISAGREE["en"]).format(first=named(first), first_value=first_value,
                                                          second=named(second), second_value=second_value)


def _statements(asked, source: Source, text: str, terms: list[str]) -> list[_Statement]:
    found = []
    for sentence in split_sentences(text):
        values = values_in(asked, sentence)
        if not values or not _about(sentence, terms):
            continue
        value_words = {w for v in values for w in words_of(v.written)}
        words = frozenset(w for w in telling_words(sentence)
                          if w not in value_words and not w.isdigit() and w not in MONTHS)
        found.append(_Statement(source, words, tuple(values)))
    return found


def _about(sentence: str, terms: list[str]) -> bool:
    """Whether the sentence names something the question asks about (a term of it, in any form)."""
    words = set(words_of(sentence))
    return any(same_word(term, word, mode=Matching.SEARCH) for term in terms for word in words)


def _one_file(a: Source, b: Source) -> bool:
    return (a.collection, a.path) == (b.collection, b.path) or b.path in a.copies or a.path in b.copies


def _any_same(a: Sequence[Value], b: Sequence[Value]) -> bool:
    return any(same_value(x, y) for x in a for y in b)


def _same_statement(a: _Statement, b: _Statement) -> bool:
    if not a.words or not b.words:
        return False
    overlap = len(a.words & b.words) / len(a.words | b.words)
    if document_version(a.source.path).document == document_version(b.source.path).document:
        return overlap >= SAME_STATEMENT_IN_VERSIONS
    names = {w for s in (a.source, b.source) for w in words_of(f"{document_name(s.path)} {s.title}")}
    return overlap >= SAME_STATEMENT and not (a.words ^ b.words) & names


def _newer_first(a: _Statement, b: _Statement) -> tuple[_Statement, _Statement]:
    """The two in the order the search gives versions of one document (knowledge/versions.py, newness);
    of two documents, by the day each counts from."""
    one = document_version(a.source.path).document == document_version(b.source.path).document
    newer, older = sorted((a, b), key=lambda s: newness(s.source.path, s.source.dated, of_one_document=one),
                          reverse=True)
    return newer, older
