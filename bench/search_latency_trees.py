"""Search latency of two source trees, question by question in turns; prints one JSON object.

    .venv/bin/python bench/search_latency_trees.py --baseline /tmp/main-src [--chunks 10000] [--passes 3]
        [--baseline-env NAME=VALUE ...] [--candidate-env NAME=VALUE ...]

Each tree (the baseline, e.g. `git archive main | tar -x -C /tmp/main-src`, and this checkout, the
candidate) runs the Retriever in a process of its own over one generated 10k-chunk table (as
bench/search_latency.py builds it); this process asks both the same question in turns (who goes
first alternates), so a change of load on a shared machine hits them alike. Each process sets up its
environment as the bot does (offline_environment) and can be given extra variables, for settings that
the OpenMP runtime only reads when it loads. Reported: p50 / p95 / max of `Retriever.search` (hybrid,
with everyone's readers, as the bot asks) per tree, the candidate's p50 and p95 divided by the
baseline's, the questions whose hits differ (must be none), and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def worker(tree: str, index: str) -> None:
    """Answers questions on stdin (one JSON string a line) with the search's ms and hit ids."""
    sys.path.insert(0, tree)
    from bot.settings import offline_environment

    offline_environment()
    from bot.model_files.resolving import packaged_embedding_path
    from knowledge.embeddings import open_embedder
    from knowledge.index.store import ChunkStore
    from knowledge.models import EVERYONE_READERS
    from knowledge.retrieval import Retriever

    import knowledge

    retriever = Retriever(open_embedder(str(packaged_embedding_path())), ChunkStore(index))
    print(json.dumps({"ready": str(Path(knowledge.__file__).parent.parent)}), flush=True)
    for line in sys.stdin:
        question = json.loads(line)
        started = time.perf_counter()
        hits = retriever.search(question, k=5, readers=EVERYONE_READERS)
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"ms": ms, "ids": [hit.chunk.id for hit in hits]}), flush=True)


class Tree:
    """One tree's worker process."""

    def __init__(self, tree: str, index: str, extra_env: list[str]) -> None:
        env = dict(os.environ, **dict(item.split("=", 1) for item in extra_env))
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", tree, "--index", index], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=tree)
        self.imports_from = json.loads(self.process.stdout.readline())["ready"]
        self.ms: list[float] = []

    def ask(self, question: str) -> list[str]:
        self.process.stdin.write(json.dumps(question) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        self.ms.append(answer["ms"])
        return answer["ids"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def build_index(folder: Path, chunks: int) -> None:
    sys.path.insert(0, str(REPO))
    from bot.settings import offline_environment

    offline_environment()
    import numpy as np

    sys.path.insert(0, str(REPO / "bench"))
    from search_latency import generated_chunks
    from bot.model_files.resolving import packaged_embedding_path
    from knowledge.embeddings import open_embedder
    from knowledge.index.schema import ModelInfo, chunk_rows
    from knowledge.index.store import ChunkStore

    embedder = open_embedder(str(packaged_embedding_path()))
    model = ModelInfo(embedder.name, embedder.dimension)
    generated = generated_chunks(chunks)
    vectors = np.random.default_rng(7).standard_normal((len(generated), embedder.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ChunkStore(str(folder)).replace_documents("bench", chunk_rows(generated, vectors, model),
                                              {c.doc_id for c in generated}, model=model)


def summary(ms: list[float]) -> dict:
    from knowledge.evaluation import percentile

    return {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="the other tree's root")
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--baseline-env", nargs="*", default=[])
    parser.add_argument("--candidate-env", nargs="*", default=[])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--index", help="an index built earlier by this script (kept between runs)")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.index)
        return
    sys.path.insert(0, str(REPO))
    from knowledge.evaluation import load_qa

    questions = [item.question for item in load_qa(REPO / "tests" / "data" / "qa.jsonl")]
    with tempfile.TemporaryDirectory(prefix="vraagbaak-latency-trees-") as tmp:
        index = Path(args.index or Path(tmp) / "index")
        if not (index / "chunks.lance").exists():
            build_index(index, args.chunks)
        trees = {"baseline": Tree(args.baseline, str(index), args.baseline_env),
                 "candidate": Tree(str(REPO), str(index), args.candidate_env)}
        try:
            for tree in trees.values():  # warm-up: caches, lazy index loading
                for question in questions[:5]:
                    tree.ask(question)
                tree.ms.clear()
            load_start = os.getloadavg()
            differ = set()
            for turn in range(args.passes * len(questions)):
                question = questions[turn % len(questions)]
                order = list(trees.values()) if turn % 2 == 0 else list(trees.values())[::-1]
                hits = [tree.ask(question) for tree in order]
                if hits[0] != hits[1]:
                    differ.add(question)
            load_end = os.getloadavg()
        finally:
            for tree in trees.values():
                tree.close()
    results = {name: summary(tree.ms) for name, tree in trees.items()}
    print(json.dumps({
        "searches_per_tree": len(trees["baseline"].ms), "mode": "hybrid", "k": 5,
        "trees": {name: tree.imports_from for name, tree in trees.items()},
        "env": {"baseline": args.baseline_env, "candidate": args.candidate_env},
        **results,
        "p50_ratio": round(results["candidate"]["p50_ms"] / results["baseline"]["p50_ms"], 3),
        "p95_ratio": round(results["candidate"]["p95_ms"] / results["baseline"]["p95_ms"], 3),
        "questions_with_other_hits": sorted(differ),
        "load_average_start": [round(x, 2) for x in load_start], "load_average_end": [round(x, 2) for x in load_end],
    }, indent=2))


if __name__ == "__main__":
    main()
