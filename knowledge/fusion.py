"""Fusing the ranked lists of vector and full-text search into one ranking."""

from __future__ import annotations

# A small k gives the top of each list most of the say, and makes the fused ranking nearly
# independent of how deep each list is read (bench/README.md, "Retrieval on real corpora").
RRF_K = 10


def fuse(*ranked_lists: list[dict], key: str, weights: tuple[float, ...] = (1.0, 1.0),
         k: int = RRF_K) -> list[tuple[dict, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the lists a row is in; one
    weight per list, in the lists' order."""
    scores: dict[str, float] = {}
    rows: dict[str, dict] = {}
    for weight, ranked in zip(weights, ranked_lists, strict=True):
        for rank, row in enumerate(ranked, start=1):
            scores[row[key]] = scores.get(row[key], 0.0) + weight / (k + rank)
            rows.setdefault(row[key], row)
    order = sorted(scores, key=lambda name: scores[name], reverse=True)
    return [(rows[name], scores[name]) for name in order]


def diversify(ranked: list[tuple[dict, float]], *, key: str,
              per_key: int | None) -> list[tuple[dict, float]]:
    """The same rows, reordered so that at most `per_key` rows of one key (e.g. one document) come
    before rows of keys not yet seen; the rows over that limit follow in their own order."""
    if per_key is None:
        return ranked
    counts: dict[str, int] = {}
    first: list[tuple[dict, float]] = []
    rest: list[tuple[dict, float]] = []
    for item in ranked:
        name = item[0][key]
        counts[name] = counts.get(name, 0) + 1
        (first if counts[name] <= per_key else rest).append(item)
    return first + rest
