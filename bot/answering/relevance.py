"""Do the retrieved passages answer the question at all? If not, Vraagbaak says so instead of
letting the model invent an answer.

Two signals, both calibrated on tests/data/qa.jsonl by `bench/answer.py --calibrate-only`:
- relevance: the best hit's cosine similarity to the question. Its scale depends on the embedding
  model (E5 scores almost everything above 0.7) and on whether question and documents share a
  language (an English question against Dutch documents scores lower), hence one threshold per
  model and question language.
- lexical support: the share of the question's content words that occur in the retrieved passages
  (first six letters, so "vakantiedagn" still finds "vakantiedagen"). A question about a
  "leaseauto" or a "sabbatical" that no passage mentions is not answered from passages about cars
  or leave in general. Only used when question and passages are in the same language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from bot.answering.language import FUNCTION_WORDS, detect_language

if TYPE_CHECKING:
    from knowledge.models import Hit

# Per embedding model (a fragment of its name): lowest best-hit relevance still answered, per
# question language. MiniLM: measured (bench/README.md). E5: not measurable offline; its usual scale.
CALIBRATED_MIN_RELEVANCE: tuple[tuple[str, dict[str, float]], ...] = (
    ("multilingual-e5", {"nl": 0.80, "en": 0.78}),
    ("minilm", {"nl": 0.48, "en": 0.215}),
)
FALLBACK_MIN_RELEVANCE = {"nl": 0.3, "en": 0.3}
MIN_LEXICAL_SUPPORT = 0.58  # calibrated on MiniLM's hits; the signal itself is model-independent
PREFIX_LETTERS = 6
_WORD = re.compile(r"\w+")
_GENERIC = frozenset("eigenlijk allemaal ergens iemand steeds zelf jullie onze mn vd".split())


def default_min_relevance(embedder_name: str) -> dict[str, float]:
    """The calibrated thresholds per question language for this embedding model."""
    name = embedder_name.lower()
    for fragment, thresholds in CALIBRATED_MIN_RELEVANCE:
        if fragment in name:
            return dict(thresholds)
    return dict(FALLBACK_MIN_RELEVANCE)


def content_words(text: str) -> list[str]:
    """Words that carry the question's subject: not function words, at least four letters."""
    return [w for w in _WORD.findall(text.lower())
            if len(w) >= 4 and w not in FUNCTION_WORDS and w not in _GENERIC]


def lexical_support(question: str, passages: Sequence[str]) -> float:
    """Share of the question's content words found in the passages (1.0 when it has none)."""
    words = content_words(question)
    if not words:
        return 1.0
    haystack = " ".join(passages).lower()
    return sum(w[:PREFIX_LETTERS] in haystack for w in words) / len(words)


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    relevance: float
    support: float | None  # None: not measured (question and passages in different languages)


@dataclass(frozen=True)
class AbstainPolicy:
    """When the best hits are too weak to answer from."""

    min_relevance: dict[str, float]
    min_support: float = MIN_LEXICAL_SUPPORT

    def threshold(self, language: str) -> float:
        return self.min_relevance.get(language, min(self.min_relevance.values()))

    def judge(self, query: str, language: str, hits: Sequence["Hit"]) -> Verdict:
        if not hits:
            return Verdict(False, 0.0, None)
        relevance = max(h.relevance for h in hits)
        texts = [h.chunk.embedding_text for h in hits]
        support = lexical_support(query, texts) if detect_language(" ".join(texts)) == language else None
        answerable = relevance >= self.threshold(language) and (support is None or support >= self.min_support)
        return Verdict(answerable, relevance, support)
