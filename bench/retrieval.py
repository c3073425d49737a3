"""Retrieval quality on the sample company with the default settings; prints one JSON object.

    .venv/bin/python bench/retrieval.py [--qa tests/data/qa.jsonl] [--index DIR] [-k 10]

Indexes knowledge/sample (into a temporary folder, or DIR when given and reused) with the offline
default embedder and the default chunking, then runs the eval per search mode.
Targets (issue 2): hybrid hit@5 >= 0.90 and MRR@10 >= 0.75, hybrid better than vector and fts.
Also reports the best-hit relevance of answerable vs unanswerable questions (for calibration).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.services import Services  # noqa: E402
from knowledge.evaluation import evaluate, load_qa  # noqa: E402

SAMPLE = REPO / "knowledge" / "sample"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=REPO / "tests" / "data" / "qa.jsonl")
    parser.add_argument("--index", type=Path, help="data folder to (re)use instead of a temporary one")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vraagbaak-bench-") as tmp:
        data_dir = args.index or Path(tmp)
        settings = load_settings(environ={}, config_path=None, data_dir=data_dir,
                                 models_dir=data_dir / "models", sources={"bedrijf": SAMPLE})
        services = Services(settings)
        started = time.perf_counter()
        report = services.indexer.reindex(SAMPLE, collection="bedrijf")
        index_s = time.perf_counter() - started
        items = load_qa(args.qa)
        retriever = services.retriever
        result = evaluate(lambda q, mode, k: retriever.search(q, k=k, mode=mode), items, k=args.k)
        hybrid, vector, fts = (result.modes[m] for m in ("hybrid", "vector", "fts"))
        out = {
            **result.as_dict(),
            "misses@5": {name: mode.misses for name, mode in result.modes.items()},
            "relevance": _relevance(retriever, items),
            "index": {"documents": services.store.stats()["documents"],
                      "chunks": services.store.stats()["chunks"],
                      "chunks_embedded": report.chunks_embedded, "seconds": round(index_s, 1),
                      "embedding_model": services.embedder.name,
                      "chunk_tokens": settings.chunk_tokens,
                      "overlap_tokens": settings.chunk_overlap_tokens},
            "targets": {
                "hybrid_hit@5>=0.90": hybrid.hit_at_5 >= 0.90,
                "hybrid_mrr@10>=0.75": hybrid.mrr_at_10 >= 0.75,
                "hybrid_beats_vector": _beats(hybrid, vector),
                "hybrid_beats_fts": _beats(hybrid, fts),
            },
            "load_average": os.getloadavg()[0],
        }
        print(json.dumps(out, indent=2))


def _beats(a, b) -> bool:
    """Better on MRR@10 and not worse on hit@5."""
    return a.mrr_at_10 > b.mrr_at_10 and a.hit_at_5 >= b.hit_at_5


def _relevance(retriever, items) -> dict:
    """Best-hit relevance for answerable and unanswerable questions (hybrid, k=1)."""
    groups: dict[str, list[float]] = {"answerable": [], "unanswerable": []}
    for item in items:
        hits = retriever.search(item.question, k=5)
        best = max((h.relevance for h in hits), default=0.0)
        groups["answerable" if item.answerable else "unanswerable"].append(best)
    return {name: {"mean": round(statistics.fmean(v), 3), "min": round(min(v), 3), "max": round(max(v), 3)}
            for name, v in groups.items() if v}


if __name__ == "__main__":
    main()
