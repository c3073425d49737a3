"""Retrieval evaluation on a QA file: hit@1, hit@5, MRR@10 and search latency per mode.

A QA line is ``{"id", "question", "sources": [doc ids], "kind"}``; empty ``sources`` marks a
question the documents cannot answer, which is left out of the hit metrics. Gold labels are
documents, so a returned chunk counts as a hit when its document is one of the sources; ranks are
the ranks of the returned chunks (1-based): hit@n means a gold chunk among the first n hits, and
MRR@10 averages 1/rank of the first gold chunk in the top 10 (0 when there is none).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from knowledge.errors import KnowledgeError
from knowledge.models import Hit

MODES = ("hybrid", "vector", "fts")


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    sources: tuple[str, ...]
    kind: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.sources)


@dataclass
class ModeResult:
    """Metrics of one search mode."""

    hit_at_1: float = 0.0
    hit_at_5: float = 0.0
    mrr_at_10: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    misses: list[str] = field(default_factory=list)  # ids of answerable questions without a hit@5
    ranks: dict[str, int | None] = field(default_factory=dict)  # question id -> first gold rank
    kinds: dict[str, str] = field(default_factory=dict)  # question id -> kind

    def by_kind(self) -> dict[str, dict[str, float]]:
        """hit@1, hit@5 and MRR@10 per question kind, with the number of questions."""
        groups: dict[str, list[int | None]] = {}
        for qid, rank in self.ranks.items():
            groups.setdefault(self.kinds.get(qid, ""), []).append(rank)
        return {kind: {"n": len(ranks),
                       "hit@1": round(sum(hit_at(r, 1) for r in ranks) / len(ranks), 4),
                       "hit@5": round(sum(hit_at(r, 5) for r in ranks) / len(ranks), 4),
                       "mrr@10": round(sum(reciprocal_rank(r) for r in ranks) / len(ranks), 4)}
                for kind, ranks in sorted(groups.items())}

    def as_dict(self) -> dict[str, float]:
        return {"hit@1": round(self.hit_at_1, 4), "hit@5": round(self.hit_at_5, 4),
                "mrr@10": round(self.mrr_at_10, 4), "p50_ms": round(self.p50_ms, 2),
                "p95_ms": round(self.p95_ms, 2)}


@dataclass
class EvalReport:
    questions: int  # answerable questions the hit metrics are computed over
    total: int  # all questions in the file
    modes: dict[str, ModeResult]

    def as_dict(self) -> dict:
        return {"questions": self.total, "answerable": self.questions,
                "modes": {name: result.as_dict() for name, result in self.modes.items()}}


def load_qa(path: Path) -> list[QAItem]:
    """Reads a QA jsonl file; a malformed line is a clear error naming the line."""
    items: list[QAItem] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KnowledgeError(f"Kan het vragenbestand '{path}' niet lezen ({exc.strerror or exc}).") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            items.append(QAItem(id=str(data.get("id", number)), question=str(data["question"]),
                                sources=tuple(str(s) for s in data.get("sources") or ()),
                                kind=str(data.get("kind", ""))))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise KnowledgeError(f"{path}, regel {number}: geen geldige vraag ({exc}).") from exc
    return items


def first_gold_rank(doc_ids: Sequence[str | tuple[str, ...]], gold: Iterable[str]) -> int | None:
    """1-based rank of the first returned chunk whose document is a gold source; an entry may be a
    document with the paths of its identical copies (indexed once, found under any of them)."""
    gold = set(gold)
    for rank, ids in enumerate(doc_ids, start=1):
        if not gold.isdisjoint((ids,) if isinstance(ids, str) else ids):
            return rank
    return None


def hit_at(rank: int | None, n: int) -> float:
    return 1.0 if rank is not None and rank <= n else 0.0


def reciprocal_rank(rank: int | None, cutoff: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= cutoff else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


Search = Callable[[str, str, int], list[Hit]]  # (question, mode, k) -> hits


def evaluate(search: Search, items: Sequence[QAItem], *, modes: Sequence[str] = MODES,
             k: int = 10) -> EvalReport:
    """Runs every question through every mode; latency is measured over all questions."""
    answerable = [item for item in items if item.answerable]
    results: dict[str, ModeResult] = {}
    for mode in modes:
        result = ModeResult()
        latencies: list[float] = []
        for item in items:
            started = time.perf_counter()
            hits = search(item.question, mode, k)
            latencies.append((time.perf_counter() - started) * 1000)
            if not item.answerable:
                continue
            rank = first_gold_rank([(h.chunk.doc_id, *h.chunk.copies) for h in hits], item.sources)
            result.ranks[item.id] = rank
            result.kinds[item.id] = item.kind
            result.hit_at_1 += hit_at(rank, 1)
            result.hit_at_5 += hit_at(rank, 5)
            result.mrr_at_10 += reciprocal_rank(rank, 10)
            if not hit_at(rank, 5):
                result.misses.append(item.id)
        n = max(1, len(answerable))
        result.hit_at_1 /= n
        result.hit_at_5 /= n
        result.mrr_at_10 /= n
        result.p50_ms = percentile(latencies, 50)
        result.p95_ms = percentile(latencies, 95)
        results[mode] = result
    return EvalReport(questions=len(answerable), total=len(items), modes=results)


def best_relevance(search: Search, items: Sequence[QAItem], *, mode: str = "hybrid",
                   k: int = 5) -> dict[str, dict[str, float]]:
    """The best hit's relevance for answerable vs unanswerable questions: how well a relevance
    threshold can tell them apart (min, median, max, mean per group)."""
    groups: dict[str, list[float]] = {"answerable": [], "unanswerable": []}
    for item in items:
        best = max((h.relevance for h in search(item.question, mode, k)), default=0.0)
        groups["answerable" if item.answerable else "unanswerable"].append(best)
    return {name: {"n": len(values), "min": round(min(values), 3),
                   "median": round(statistics.median(values), 3), "max": round(max(values), 3),
                   "mean": round(statistics.fmean(values), 3)}
            for name, values in groups.items() if values}
