"""Loops and echoes of the offline model, with the answer guard off and on; prints one JSON object.

    .venv/bin/python bench/loops.py [--max-tokens 400] [--limit N] [--index DIR]

Every question of the sample company (tests/data/qa.jsonl) and of developer-overheid (shared/corpora)
goes through engine.ask twice on the same SmolLM2 (greedy, the settings' max_tokens): once with the
guard off (bot/answering/guards.py: as before), once with it on. Only questions that reach the model
count. Per corpus and mode: mean and total completion tokens, answers that ran to max_tokens, loops and
echoes (guard off: what the guard would have found in the whole text; guard on: what it stopped),
answers quoted instead, the ids of the questions the guard stopped, and how those answers began.
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

from bot.answering.engine import AnswerEngine  # noqa: E402
from bot.answering.types import Turn  # noqa: E402
from bot.answering.guards import AnswerGuard  # noqa: E402
from bot.answering.llm import LlamaGenerator  # noqa: E402
from bot.model_files.resolving import packaged_embedding_path, packaged_llm_path  # noqa: E402
from bench.corpora import DEFAULT_CORPORA  # noqa: E402



def load_questions(qa_file: Path) -> list[dict]:
    """The eval questions; a follow-up ("vervolg") gets the question before it as history."""
    rows = [json.loads(line) for line in qa_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    for previous, row in zip([None, *rows], rows):
        row["history"] = [Turn("user", previous["question"])] if row["kind"] == "vervolg" and previous else []
    return rows


def index(embedder, name: str, folder: Path, root: Path):
    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.index.store import ChunkStore

    store = ChunkStore(str(root / name / "index"))
    if not store.exists():
        Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=root / name / "state").reindex(
            folder, collection=name)
    return store


def would_stop(question: str, language: str, raw: str) -> str:
    """What the guard finds in a whole answer written without it ('' when nothing)."""
    guard = AnswerGuard.for_question(question, language)
    guard.feed(raw)
    guard.finish()
    return guard.stopped.reason if guard.stopped else ""


def measure(engines: dict[str, AnswerEngine], rows: list[dict], max_tokens: int) -> dict:
    tokens: dict[str, list[int]] = {mode: [] for mode in engines}
    found: dict[str, dict[str, list[str]]] = {mode: {"loop": [], "echo": []} for mode in engines}
    at_limit = {mode: 0 for mode in engines}
    quoted = {mode: 0 for mode in engines}
    examples: dict[str, str] = {}  # the start of each answer the guard finds, as written without it
    for row in rows:
        for mode, engine in engines.items():
            stream = engine.ask(row["question"], history=row["history"])
            answer = stream.result()
            # The model's own whole text (the stream's generation), for what the guard would find in it.
            raw = stream._generation.text() if stream._generation is not None and mode == "off" else None
            if answer.timings.get("completion_tokens") is None or not answer.timings.get("prompt_tokens"):
                break  # declined without the model: the same in both modes
            completion = answer.timings["completion_tokens"]
            tokens[mode].append(completion)
            at_limit[mode] += completion >= max_tokens
            quoted[mode] += answer.quoted
            reason = would_stop(row["question"], answer.language, raw) if raw is not None else answer.stopped
            if reason:
                found[mode][reason].append(row["id"])
                if raw is not None:
                    examples[row["id"]] = " ".join(raw.split())[:160]
    return {mode: {"answers_generated": len(tokens[mode]),
                   "mean_completion_tokens": round(statistics.mean(tokens[mode]), 1) if tokens[mode] else 0,
                   "total_completion_tokens": sum(tokens[mode]),
                   "ran_to_max_tokens": at_limit[mode],
                   "loops": len(found[mode]["loop"]), "echoes": len(found[mode]["echo"]),
                   "quoted": quoted[mode], "ids": found[mode],
                   **({"examples": examples} if mode == "off" else {})}
            for mode in engines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-tokens", type=int, help="default: the setting's max_tokens")
    parser.add_argument("--limit", type=int, help="only the first N questions of each corpus")
    parser.add_argument("--index", type=Path, help="keep (and reuse) the indexes in DIR/NAME")
    args = parser.parse_args()
    from knowledge.embeddings import open_embedder
    from knowledge.retrieval import Retriever

    settings = load_settings(environ={}, config_path=None)
    max_tokens = args.max_tokens or settings.llm.max_tokens
    embedder = open_embedder(str(packaged_embedding_path()))
    generator = LlamaGenerator(packaged_llm_path(), n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                               n_threads_batch=settings.llm.threads_batch, prefix_states=settings.llm.prefix_states)
    out: dict = {"llm": generator.model_name, "max_tokens": max_tokens, "temperature": 0.0,
                 "load_average_start": round(os.getloadavg()[0], 2), "corpora": {}}
    try:
        with tempfile.TemporaryDirectory(prefix="vraagbaak-loops-") as tmp:
            for name, (folder, qa_file) in DEFAULT_CORPORA.items():
                retriever = Retriever(embedder, index(embedder, name, folder, args.index or Path(tmp)))
                engines = {mode: AnswerEngine(retriever, generator, embedder=embedder, top_k=settings.retrieval.top_k,
                                              context_budget_tokens=settings.answering.context_budget_tokens,
                                              max_tokens=max_tokens, temperature=0.0, cache_size=0,
                                              guard=mode == "on")
                           for mode in ("off", "on")}
                rows = load_questions(qa_file)[: args.limit]
                started = time.perf_counter()
                out["corpora"][name] = {**measure(engines, rows, max_tokens),
                                        "seconds": round(time.perf_counter() - started, 1)}
    finally:
        generator.close()
    out["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
