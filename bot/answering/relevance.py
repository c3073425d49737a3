"""When is the best passage too far from the question to answer from? Per embedding model, because
cosine similarities live on different scales (E5 models score almost everything above 0.7).

The numbers come from `bench/answer.py --calibrate` on tests/data/qa.jsonl; re-run it after
changing the embedding model, the chunking or the sample documents.
"""

from __future__ import annotations

# (substring of the embedder's name, lowest relevance still answered)
CALIBRATED_MIN_RELEVANCE: tuple[tuple[str, float], ...] = (
    ("multilingual-e5", 0.82),  # not measurable offline: E5's usual scale, see bench/README.md
    ("minilm", 0.35),
)
FALLBACK_MIN_RELEVANCE = 0.35


def default_min_relevance(embedder_name: str) -> float:
    """The calibrated threshold for this embedding model (`min_relevance = -1` in the settings)."""
    name = embedder_name.lower()
    for fragment, threshold in CALIBRATED_MIN_RELEVANCE:
        if fragment in name:
            return threshold
    return FALLBACK_MIN_RELEVANCE
