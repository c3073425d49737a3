"""Eval metrics on a tiny set computed by hand."""

from __future__ import annotations

import json

import pytest

from knowledge.errors import KnowledgeError
from knowledge.evaluation import evaluate, first_gold_rank, load_qa, percentile
from knowledge.models import Chunk, Hit


def hit(doc_id: str, rank: int) -> Hit:
    chunk = Chunk(id=f"c:{doc_id}#{rank}", doc_id=doc_id, collection="c", title="t", headings=(),
                  text="x", ordinal=rank, content_hash="h")
    return Hit(chunk=chunk, score=1.0 / rank, rank=rank)


QA = [
    {"id": "q1", "question": "een", "sources": ["a.md"], "kind": "feit"},           # gold at rank 1
    {"id": "q2", "question": "twee", "sources": ["b.md", "z.md"], "kind": "feit"},  # gold at rank 3
    {"id": "q3", "question": "drie", "sources": ["c.md"], "kind": "feit"},          # gold at rank 7
    {"id": "q4", "question": "vier", "sources": ["d.md"], "kind": "feit"},          # never found
    {"id": "q5", "question": "vijf", "sources": [], "kind": "onbeantwoordbaar"},    # not counted
]
RESULTS = {
    "een": ["a.md", "x.md"],
    "twee": ["x.md", "y.md", "z.md", "b.md"],
    "drie": ["x.md"] * 6 + ["c.md"],
    "vier": ["x.md"] * 10 + ["d.md"],  # rank 11: outside MRR@10
    "vijf": ["a.md"],
}


@pytest.fixture
def qa_file(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QA) + "\n\n", encoding="utf-8")
    return path


def test_metrics_match_hand_computation(qa_file):
    items = load_qa(qa_file)
    assert [i.answerable for i in items] == [True, True, True, True, False]

    def search(question, mode, k):
        return [hit(doc, i + 1) for i, doc in enumerate(RESULTS[question][:k])]

    report = evaluate(search, items, modes=["hybrid", "fts"], k=20)
    result = report.modes["hybrid"]
    assert report.questions == 4 and report.total == 5
    assert result.hit_at_1 == pytest.approx(1 / 4)
    assert result.hit_at_5 == pytest.approx(2 / 4)
    assert result.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1 / 7 + 0) / 4)
    assert result.misses == ["q3", "q4"]
    assert report.as_dict()["questions"] == 5 and report.as_dict()["answerable"] == 4
    assert set(report.as_dict()) == {"questions", "answerable", "modes"}
    assert set(report.as_dict()["modes"]["fts"]) == {"hit@1", "hit@5", "mrr@10", "p50_ms", "p95_ms"}


def test_k_limits_what_counts(qa_file):
    def search(question, mode, k):
        return [hit(doc, i + 1) for i, doc in enumerate(RESULTS[question][:k])]

    report = evaluate(search, load_qa(qa_file), modes=["vector"], k=5)
    assert report.modes["vector"].mrr_at_10 == pytest.approx((1 + 1 / 3) / 4)


def test_first_gold_rank_and_percentile():
    assert first_gold_rank(["x", "y", "g"], {"g"}) == 3
    assert first_gold_rank(["x"], {"g"}) is None
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([], 95) == 0.0


def test_malformed_line_names_the_line(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"id": "1", "question": "ok", "sources": []}\n{"id": "2"}\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="regel 2"):
        load_qa(path)
