"""Retrieval quality on several corpora with the default settings; prints one JSON object.

    .venv/bin/python bench/retrieval.py [--corpus NAME=FOLDER:QAFILE ...] [--index DIR] [-k 10]
                                        [--set chunk_tokens=256 ...]

Default corpora: the sample company (knowledge/sample, tests/data/qa.jsonl) and the real Dutch
corpus developer-overheid (shared/corpora). Each is indexed with the offline default embedder and
the default chunking into its own temporary folder (or DIR/NAME, reused when it exists), then every
question runs through every search mode. Per corpus and mode: hit@1, hit@5, MRR@10, p50/p95 search
latency, the same metrics per question kind, the ids of the misses@5; per corpus the best-hit
relevance of answerable vs unanswerable questions (what a refusal threshold has to separate).
Targets (issue 12): developer-overheid hybrid hit@5 >= 0.96 and MRR@10 >= 0.88; the sample company
hit@5 >= 0.96 and MRR@10 >= 0.87; hybrid better than vector and fts on both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.services import Services  # noqa: E402
from bench.corpora import DEFAULT_CORPORA, parse_corpus  # noqa: E402
from knowledge.evaluation import best_relevance, evaluate, load_qa  # noqa: E402

TARGETS = {"sample": (0.96, 0.87), "developer-overheid": (0.96, 0.88)}  # hybrid hit@5, MRR@10


def parse_setting(value: str) -> tuple[str, str]:
    name, sep, raw = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=parse_corpus,
                        help="NAME=FOLDER:QAFILE (repeatable; default: sample and developer-overheid)")
    parser.add_argument("--index", type=Path, help="folder whose NAME sub-folders keep the indexes")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--set", action="append", type=parse_setting, default=[],
                        help="a setting override for the experiment, e.g. chunk_tokens=256")
    args = parser.parse_args()
    corpora = dict(args.corpus) if args.corpus else DEFAULT_CORPORA
    overrides = _overrides(args.set)
    out: dict = {"load_average_start": round(os.getloadavg()[0], 2), "settings": overrides, "corpora": {}}
    with tempfile.TemporaryDirectory(prefix="vraagbaak-bench-") as tmp:
        for name, (folder, qa_file) in corpora.items():
            data_dir = (args.index or Path(tmp)) / name
            out["corpora"][name] = measure(name, folder, qa_file, data_dir, args.k, overrides)
    out["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))


def _overrides(pairs: list[tuple[str, str]]) -> dict:
    """Typed overrides: the environment parser of bot/settings.py does the coercion."""
    from dataclasses import fields

    from bot.settings import Settings

    env_names = {f.name: f.metadata["env"] for f in fields(Settings)}
    environ = {env_names[name]: raw for name, raw in pairs}
    settings = load_settings(environ=environ, config_path=None)
    return {name: getattr(settings, name) for name, _ in pairs}


def measure(name: str, folder: Path, qa_file: Path, data_dir: Path, k: int, overrides: dict) -> dict:
    settings = load_settings(environ={}, config_path=None, data_dir=data_dir,
                             models_dir=data_dir / "models", sources={name: folder}, **overrides)
    services = Services(settings)
    started = time.perf_counter()
    report = services.indexer.reindex(folder, collection=name)
    index_s = time.perf_counter() - started
    items = load_qa(qa_file)
    retriever = services.retriever

    def search(question: str, mode: str, n: int):
        return retriever.search(question, k=n, mode=mode)

    result = evaluate(search, items, k=k)
    stats = services.store.stats()
    hybrid_hit5, hybrid_mrr = result.modes["hybrid"].hit_at_5, result.modes["hybrid"].mrr_at_10
    hit5_target, mrr_target = TARGETS.get(name, (None, None))
    return {
        **result.as_dict(),
        "by_kind": {mode: r.by_kind() for mode, r in result.modes.items()},
        "misses@5": {mode: r.misses for mode, r in result.modes.items()},
        "relevance": best_relevance(search, items),
        "index": {"documents": stats["documents"], "chunks": stats["chunks"],
                  "chunks_embedded": report.chunks_embedded, "skipped": len(report.skipped),
                  "seconds": round(index_s, 1), "embedding_model": services.embedder.name,
                  "chunk_tokens": settings.chunk_tokens, "overlap_tokens": settings.chunk_overlap_tokens},
        "targets": {
            **({f"hybrid_hit@5>={hit5_target}": hybrid_hit5 >= hit5_target,
                f"hybrid_mrr@10>={mrr_target}": hybrid_mrr >= mrr_target} if hit5_target else {}),
            "hybrid_beats_vector": _beats(result.modes["hybrid"], result.modes["vector"]),
            "hybrid_beats_fts": _beats(result.modes["hybrid"], result.modes["fts"]),
        },
    }


def _beats(a, b) -> bool:
    """Better on MRR@10 and not worse on hit@5."""
    return a.mrr_at_10 > b.mrr_at_10 and a.hit_at_5 >= b.hit_at_5


if __name__ == "__main__":
    main()
