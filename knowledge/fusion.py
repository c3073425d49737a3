"""Fusing the ranked lists of vector and full-text search into one ranking."""

from __future__ import annotations

RRF_K = 60


def fuse(vector_rows: list[dict], text_rows: list[dict], *, key: str,
         weights: tuple[float, float] = (1.0, 1.0), k: int = RRF_K) -> list[tuple[dict, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the lists a row is in."""
    scores: dict[str, float] = {}
    rows: dict[str, dict] = {}
    for weight, ranked in zip(weights, (vector_rows, text_rows)):
        for rank, row in enumerate(ranked, start=1):
            scores[row[key]] = scores.get(row[key], 0.0) + weight / (k + rank)
            rows.setdefault(row[key], row)
    order = sorted(scores, key=lambda name: scores[name], reverse=True)
    return [(rows[name], scores[name]) for name in order]
