"""Do the retrieved passages answer the question at all? If not, Vraagbaak says so instead of
letting the model invent an answer.

Three signals, calibrated on two corpora together (the sample company and developer-overheid) by
`bench/answer.py --calibrate-only`; bench/README.md "Honesty on both corpora" has the numbers:
- relevance: the best hit's cosine similarity to the question. Its scale depends on the embedding
  model (E5 scores almost everything above 0.7) and on whether question and documents share a
  language (an English question against Dutch documents scores lower), hence one threshold per
  model and question language (language/calibration.py).
- known terms: the share of the question's terms, weighted by how specific they are in the index
  (IDF: rare words weigh more than common ones), that the index knows at all, allowing for Dutch
  inflection, compounds and one typo (knowledge/query.py, Vocabulary). A question about a
  "leaseauto" or "reiskosten" that no document mentions is not answered from passages about cars
  or travel in general, however similar they look to the embedder.
- agreement: when the vector search does not find the passage that the fused ranking puts first
  (only full text found it), that passage alone must hold most of the question's specific terms
  (IDF-weighted coverage of one passage, not of all of them together). Agreeing searches are good
  evidence; a full-text match on a few shared words is not.
- numbers: a question that asks for an amount ("hoeveel", "wat kost", "minimaal", "hoe lang") is
  not answered from passages without a single number in them.
- the value asked for: a question that asks for a count of something ("hoeveel maanden"), a
  percentage, a price, a phone number, an e-mail address, a date ("sinds wanneer"), a time of day, a
  duration ("hoe lang"), a version number, a rate ("per minuut"), a colour code or a registration
  number ("kvk-nummer") is not answered
  from passages that hold no such value (language/values.py), nor from a value stated about
  something else: a sentence must hold the value and, itself or the title and headings it stands
  under, one of the terms the value is asked of ("korting" in "hoeveel procent korting"; a count is
  asked of its unit, which must stand beside the number, unless no passage names the unit in any
  form: then the question counts in words of its own, "hoeveel plekken" of "60 plaatsen", and any
  number will do). It reads the question's wording, not the
  corpus's, and has no threshold to calibrate. The value of something the index never names cannot
  be in it either: a question that asks for a value and has, in the clause that asks it, a term of
  5+ letters the index knows in no form and not as two of its words written as one ("welke rgb code
  hoort bij oranje tekst" where no document says "oranje"; the words that name the kind of value,
  "kleurcodes", are not its subject) is declined the same way, whatever share
  of its other terms the index knows. A follow-up asks the value of its own words, not of the
  previous question's that the search puts before it. Values have one shape in any language (a
  date, a percentage, an e-mail address): this rule also holds for an English question over Dutch
  documents; what the value is asked of and the unseen terms do not.
The relevance is the best cosine among the hits and the vector search's own candidates: what the
embedder thinks of the index's best passage, whatever weight the fusion gives the vector list (the
fused top k holds the most similar passage at one weight and not at another).
The word rules hold across languages too when the search looked the question's words up in a
dictionary (knowledge/crosslingual.py, glossary): a term counts as known when the index holds it
itself (Dutch documents are full of English terms) or one of its translations, as unseen when the
dictionary translates it and the index holds none of the translations, and not at all when it can
be looked up nowhere (a term without a dictionary entry is neither known nor unknown); of the value
rules, the unseen term in the asking clause (the value stated about its subject is not asked of a
translation: bench/README.md, "Declining English questions"). Without such a look-up an English
question's words are not expected in Dutch documents, and only relevance and the value's kind count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from knowledge.crosslingual import GlossedVocabulary
from knowledge.query import Vocabulary
from language.calibration import FALLBACK
from language.detection import detect_language
from language.matching import MIN_TYPO_LETTERS
from language.questions import asks_amount, has_number, question_terms
from language.sentences import split_sentences
from language.values import AskedValue, asked_about, asked_of, asked_value, holds_value, in_other_words
from language.tokens import words_of

if TYPE_CHECKING:
    from knowledge.models import Hit

# Lowest IDF-weighted share of known question terms still answered, and, when only full text found
# the best passage, the lowest share of the question's terms that one passage must hold (None: not
# asked). Per embedding model in language/calibration.py; these are the defaults of a model it does
# not know (with MiniLM, pooled over the sample company and developer-overheid: unanswerable
# questions about a word the index lacks at 0.0-0.57, answerable ones at 0.65-1.0 but for four).
MIN_KNOWN_TERMS = FALLBACK.min_known_terms
MIN_COVERAGE_ALONE = FALLBACK.min_coverage_alone


def known_terms(question: str, vocabulary: Vocabulary) -> float:
    """IDF-weighted share of the question's terms that occur in the index (1.0 when it has none)."""
    weights = {term: vocabulary.idf(term) for term in question_terms(question)}
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    return sum(w for term, w in weights.items() if vocabulary.forms(term)) / total


def passage_coverage(question: str, passage: str, vocabulary: Vocabulary) -> float:
    """IDF-weighted share of the question's terms that occur in this one passage."""
    weights = {term: vocabulary.idf(term) for term in question_terms(question)}
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    words = set(words_of(passage))
    return sum(w for term, w in weights.items() if vocabulary.forms(term) & words or term in words) / total


def unseen_terms(question: str, vocabulary: Vocabulary) -> list[str]:
    """The question's terms the index knows in no form, not even as two of its words written as one
    ("oranje" in an index without it; not "kleurcode" where it has "kleur" and "code"). Shorter
    words than a typo is looked for in are left out: too little of them to tell."""
    return [term for term in question_terms(question)
            if len(term) >= MIN_TYPO_LETTERS and not vocabulary.forms(term) and not vocabulary.compound_parts(term)
            and vocabulary.idf(term) > 0]  # a term that weighs nothing could not be looked up


def states_value(asked: AskedValue, subject: Sequence[str], hit: "Hit", vocabulary: Vocabulary) -> bool:
    """A sentence of the hit holds a value of the asked kind and, itself or the title and headings
    it stands under, one of the `subject` terms (what the value is asked of: language/values.py,
    asked_about) in any form; any such sentence will do when the question names no subject the
    index knows."""
    subject = [term for term in subject if vocabulary.forms(term)]
    context = set(words_of(" ".join([hit.chunk.title, *hit.chunk.headings])))
    for sentence in split_sentences(hit.chunk.embedding_text):
        if not holds_value(asked, sentence):
            continue
        words = set(words_of(sentence)) | context
        if not subject or any(term in words or vocabulary.forms(term) & words for term in subject):
            return True
    return False


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    relevance: float
    support: float | None  # known-term share; None: not measured (another language, not looked up)
    numbers_missing: bool = False  # it asks for an amount and no passage has a number
    agreement: bool | None = None  # the vector search also found the best passage; None: not asked
    coverage: float | None = None  # best one-passage share of the question's terms
    # It asks for a kind of value (language/values.py) no passage holds, or the value of an unseen term.
    value_missing: bool = False


@dataclass(frozen=True)
class AbstainPolicy:
    """When the best hits are too weak to answer from."""

    min_relevance: dict[str, float]
    min_support: float = MIN_KNOWN_TERMS
    min_coverage_alone: float | None = MIN_COVERAGE_ALONE

    def threshold(self, language: str) -> float:
        return self.min_relevance.get(language, min(self.min_relevance.values()))

    def judge(self, query: str, language: str, hits: Sequence["Hit"],
              vocabulary: Vocabulary | None = None,
              semantic_hits: Sequence["Hit"] | None = None, question: str | None = None,
              glossary: Mapping[str, frozenset[str]] | None = None) -> Verdict:
        """`vocabulary`: the index's words (without it the passages stand in for the index);
        `semantic_hits`: the vector search's own candidates (None: agreement not checked, the
        relevance read from the hits alone); `question`: the question as asked, where `query`
        puts the previous one before it (a follow-up): when it asks for a value itself, the value
        is asked of its words, not of the previous question's; `glossary`: the query's terms
        looked up in the index's language (knowledge/crosslingual.py), for a question in another."""
        if not hits:
            return Verdict(False, 0.0, None)
        relevance = max(h.relevance for h in [*hits, *(semantic_hits or ())])
        texts = [h.chunk.embedding_text for h in hits]
        asking = question if question is not None and asked_value(question) else query
        asked = asked_value(asking)
        asked = asked and in_other_words(asked, texts)
        value_missing = asked is not None and not any(holds_value(asked, t) for t in texts)
        across = detect_language(" ".join(texts)) != language
        if across:
            if glossary is not None and vocabulary is not None:
                vocabulary = GlossedVocabulary(vocabulary, glossary)
            else:
                return Verdict(relevance >= self.threshold(language) and not value_missing, relevance, None,
                               value_missing=value_missing)
        vocabulary = vocabulary or Vocabulary(texts)
        if asked is not None and not value_missing:
            # Across languages only the unseen term: a dictionary misses senses ("call" is no "bellen"
            # in FreeDict), so a translation's absence beside the value is no evidence.
            value_missing = bool(unseen_terms(asked_of(asking), vocabulary)) or not across and \
                not any(states_value(asked, asked_about(asking), hit, vocabulary) for hit in hits)
        support = known_terms(query, vocabulary)
        numbers_missing = asks_amount(query) and not any(has_number(t) for t in texts)
        agreement = None if semantic_hits is None else hits[0].chunk.id in {h.chunk.id for h in semantic_hits}
        coverage = max(passage_coverage(query, t, vocabulary) for t in texts)
        alone_holds = agreement is not False or self.min_coverage_alone is None or coverage >= self.min_coverage_alone
        answerable = (relevance >= self.threshold(language) and support >= self.min_support
                      and not numbers_missing and not value_missing and alone_holds)
        return Verdict(answerable, relevance, support, numbers_missing, agreement, coverage, value_missing)
