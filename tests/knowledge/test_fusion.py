"""Reciprocal rank fusion and per-document diversification on hand-made ranked lists."""

from __future__ import annotations

import pytest

from knowledge.fusion import diversify, fuse


def rows(*ids: str) -> list[dict]:
    return [{"chunk_id": i, "doc_id": i.split("#")[0]} for i in ids]


def test_fuse_sums_weighted_reciprocal_ranks():
    fused = fuse(rows("a#0", "b#0"), rows("b#0", "c#0"), key="chunk_id", weights=(0.5, 1.0), k=10)
    scores = {row["chunk_id"]: score for row, score in fused}
    assert scores["b#0"] == pytest.approx(0.5 / 12 + 1 / 11)
    assert scores["a#0"] == pytest.approx(0.5 / 11)
    assert [row["chunk_id"] for row, _ in fused] == ["b#0", "c#0", "a#0"]


def test_full_text_weight_decides_between_two_first_places():
    fused = fuse(rows("v#0"), rows("t#0"), key="chunk_id", weights=(0.5, 1.0))
    assert [row["chunk_id"] for row, _ in fused] == ["t#0", "v#0"]


def test_diversify_lets_other_documents_in_before_a_second_chunk():
    ranked = [(row, 1.0 / n) for n, row in enumerate(rows("a#0", "a#1", "a#2", "b#0", "c#0"), start=1)]
    order = [row["chunk_id"] for row, _ in diversify(ranked, key="doc_id", per_key=1)]
    assert order == ["a#0", "b#0", "c#0", "a#1", "a#2"]
    two = [row["chunk_id"] for row, _ in diversify(ranked, key="doc_id", per_key=2)]
    assert two == ["a#0", "a#1", "b#0", "c#0", "a#2"]
    assert diversify(ranked, key="doc_id", per_key=None) == ranked
