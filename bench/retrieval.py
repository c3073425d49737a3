"""Retrieval quality on several corpora and embedding models; prints one JSON object.

    .venv/bin/python bench/retrieval.py [--corpus NAME=FOLDER:QAFILE ...] [--index DIR] [-k 10]
                                        [--embedding-model NAME ...] [--vector-weight 0.5 ...]
                                        [--set chunk_tokens=256 ...] [--as-indexed]

Default corpora: the sample company (knowledge/sample, tests/data/qa.jsonl) and the real Dutch
corpora developer-overheid and kadaster-aktemodellen (shared/corpora). Each is indexed with each
embedding model (default: the one the settings pick, i.e. the offline default; a packaged model's
name or a folder, as VRAAGBAAK_EMBEDDING_MODEL takes it) and the default chunking into its own
temporary folder (or DIR/MODEL/NAME, reused when it exists), then every question runs through every
search mode. Per model, corpus and mode: hit@1, hit@5, MRR@10, p50/p95 search latency, the same
metrics per question kind, the ids of the misses@5; per model and corpus the indexing time and
chunks embedded per second, and the best-hit relevance of answerable vs unanswerable questions (what a
refusal threshold has to separate). With --vector-weight: hybrid at each weight of the vector list
(full text 1.0) per corpus, and the weight chosen leave-one-corpus-out (best mean MRR@10 on the other
corpora) with what it gives on the corpus left out, next to the best weight there; and hybrid at each
weight without the compounds' parts in the full-text query (knowledge/query.py), the before. With
--as-indexed the indexes under --index are searched as they are, not re-indexed (a variant of the
full-text column written by bench/search_text_variant.py, or an index of an older layout); every
question's rank per mode is printed under "ranks".
Targets: developer-overheid hybrid hit@5 >= 0.96 and MRR@10 >= 0.88; the sample company
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
from knowledge.models import IndexReport  # noqa: E402
from knowledge.query import text_query  # noqa: E402
from knowledge.retrieval import Retriever  # noqa: E402

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
    parser.add_argument("--embedding-model", action="append", default=[],
                        help="an embedding model to measure (repeatable), as VRAAGBAAK_EMBEDDING_MODEL takes it "
                             "(e.g. all-minilm-l6-v2, multilingual-e5-small-q4); default: the settings' choice")
    parser.add_argument("--vector-weight", action="append", type=float, default=[],
                        help="also measure hybrid with this weight of the vector list (repeatable)")
    parser.add_argument("--as-indexed", action="store_true",
                        help="search the indexes under --index as they are, without re-indexing (a variant "
                             "written into a copy of an index, or an index of an older layout)")
    args = parser.parse_args()
    if args.as_indexed and not args.index:
        parser.error("--as-indexed needs --index")
    corpora = dict(args.corpus) if args.corpus else DEFAULT_CORPORA
    overrides = _overrides(args.set)
    models = args.embedding_model or [overrides.get("embedding_model", "auto")]
    out: dict = {"load_average_start": round(os.getloadavg()[0], 2), "settings": overrides, "embedders": {}}
    with tempfile.TemporaryDirectory(prefix="vraagbaak-bench-") as tmp:
        for model in models:
            per_corpus = out["embedders"].setdefault(model, {"corpora": {}})
            for name, (folder, qa_file) in corpora.items():
                data_dir = (args.index or Path(tmp)) / _folder_name(model) / name
                per_corpus["corpora"][name] = measure(name, folder, qa_file, data_dir, args.k,
                                                      {**overrides, "embedding_model": model}, args.vector_weight,
                                                      reindex=not args.as_indexed)
            if args.vector_weight and len(corpora) > 1:
                per_corpus["vector_weight_leave_one_corpus_out"] = leave_one_corpus_out(
                    {name: result["hybrid_by_vector_weight"] for name, result in per_corpus["corpora"].items()})
    out["summary"] = summary(out["embedders"])
    out["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))


def _folder_name(model: str) -> str:
    return Path(model).name or "auto"


def _overrides(pairs: list[tuple[str, str]]) -> dict:
    """Typed overrides by flat name (`chunk_tokens`): the environment parser of bot/settings/ does the coercion."""
    from bot.settings import setting_fields

    known = {f.flat_name: f for f in setting_fields()}
    environ = {known[name].env: raw for name, raw in pairs}
    settings = load_settings(environ=environ, config_path=None)
    return {name: getattr(getattr(settings, known[name].area), known[name].name) for name, _ in pairs}


def measure(name: str, folder: Path, qa_file: Path, data_dir: Path, k: int, overrides: dict,
            vector_weights: list[float] = (), *, reindex: bool = True) -> dict:
    settings = load_settings(environ={}, config_path=None, data_dir=data_dir,
                             models_dir=data_dir / "models", sources={name: folder}, **overrides)
    services = Services(settings)
    started = time.perf_counter()
    report = services.indexer.reindex(folder, collection=name) if reindex else IndexReport()
    index_s = time.perf_counter() - started
    items = load_qa(qa_file)
    # The services' retriever remembers the questions' embeddings (RecentQuestions): here every mode
    # pays for its own, as one question does, so that the latencies stay comparable.
    served = services.retriever
    retriever = Retriever(services.embedder, services.store, reranker=served.reranker,
                          rerank_depth=served.rerank_depth, query_terms=served.query_terms)

    def search(question: str, mode: str, n: int):
        return retriever.search(question, k=n, mode=mode)

    result = evaluate(search, items, k=k)
    stats = services.store.stats()
    by_weight, without_compounds = {}, {}
    for weight in vector_weights:
        for into, terms in ((by_weight, text_query), (without_compounds, lambda q, _vocabulary: text_query(q, None))):
            weighted = Retriever(services.embedder, services.store, weights=(weight, 1.0), query_terms=terms)
            hybrid = evaluate(lambda q, mode, n: weighted.search(q, k=n, mode=mode), items, modes=("hybrid",), k=k)
            into[str(weight)] = hybrid.modes["hybrid"].as_dict()
    hybrid_hit5, hybrid_mrr = result.modes["hybrid"].hit_at_5, result.modes["hybrid"].mrr_at_10
    hit5_target, mrr_target = TARGETS.get(name, (None, None))
    return {
        **result.as_dict(),
        "by_kind": {mode: r.by_kind() for mode, r in result.modes.items()},
        "misses@5": {mode: r.misses for mode, r in result.modes.items()},
        "ranks": {mode: r.ranks for mode, r in result.modes.items()},
        "relevance": best_relevance(search, items),
        **({"hybrid_by_vector_weight": by_weight,
            "hybrid_by_vector_weight_without_compounds": without_compounds} if by_weight else {}),
        "index": {"documents": stats["documents"], "chunks": stats["chunks"],
                  "chunks_embedded": report.chunks_embedded, "skipped": len(report.skipped),
                  "reindexed": reindex, "seconds": round(index_s, 1),
                  "chunks_per_s": round(report.chunks_embedded / index_s, 1) if report.chunks_embedded else None,
                  "embedding_model": services.embedder.name,
                  "chunk_tokens": settings.retrieval.chunk_tokens,
                  "overlap_tokens": settings.retrieval.chunk_overlap_tokens},
        "targets": {
            **({f"hybrid_hit@5>={hit5_target}": hybrid_hit5 >= hit5_target,
                f"hybrid_mrr@10>={mrr_target}": hybrid_mrr >= mrr_target} if hit5_target else {}),
            "hybrid_beats_vector": _beats(result.modes["hybrid"], result.modes["vector"]),
            "hybrid_beats_fts": _beats(result.modes["hybrid"], result.modes["fts"]),
        },
    }


def leave_one_corpus_out(by_weight: dict[str, dict[str, dict]]) -> dict:
    """Per corpus: the vector weight with the best mean hybrid MRR@10 on the other corpora, what it
    gives on this one, and the best this one could have had."""
    result = {}
    for held_out, own in by_weight.items():
        others = [scores for name, scores in by_weight.items() if name != held_out]
        chosen = max(own, key=lambda w: (sum(o[w]["mrr@10"] for o in others), -abs(float(w) - 1.0)))
        best = max(own, key=lambda w: own[w]["mrr@10"])
        result[held_out] = {"chosen_on_the_others": float(chosen), "mrr@10": own[chosen]["mrr@10"],
                            "hit@5": own[chosen]["hit@5"], "best_weight_here": float(best),
                            "best_mrr@10_here": own[best]["mrr@10"],
                            "gap": round(own[best]["mrr@10"] - own[chosen]["mrr@10"], 4)}
    return result


def summary(embedders: dict) -> list[dict]:
    """One row per model, corpus and mode: the three metrics, and the indexing speed."""
    rows = []
    for model, measured in embedders.items():
        for corpus, result in measured["corpora"].items():
            for mode, metrics in result["modes"].items():
                rows.append({"embedding_model": model, "corpus": corpus, "mode": mode,
                             **{key: metrics[key] for key in ("hit@1", "hit@5", "mrr@10")},
                             "index_s": result["index"]["seconds"], "chunks_per_s": result["index"]["chunks_per_s"]})
    return rows


def _beats(a, b) -> bool:
    """Better on MRR@10 and not worse on hit@5."""
    return a.mrr_at_10 > b.mrr_at_10 and a.hit_at_5 >= b.hit_at_5


if __name__ == "__main__":
    main()
