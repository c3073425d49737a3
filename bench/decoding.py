"""Prompt-lookup decoding on grounded answers, without and with, in one run; prints one JSON object.

    .venv/bin/python bench/decoding.py [--draft-tokens 2,10] [--max-tokens 200] [--limit N]
        [--index DIR] [--model GGUF] [--corpus NAME=FOLDER:QAFILE ...]

For every question of each corpus (default: the sample company, tests/data/qa.jsonl, and
shared/corpora/developer-overheid, loaded as bench/answer.py loads them) that the engine would send
to the model, the same prompt (engine.prepare: retrieval, packing, the instructions) goes to one
generator without prompt lookup and one per --draft-tokens value, all on the same GGUF (default the
packaged SmolLM2), greedy with the settings' top_p and repeat penalty and the answer stops, with the
settings' prefix snapshots. The order of the generators rotates per question, so load that drifts
during the run touches every mode alike.

Per corpus and mode: answers, generation tokens/s (completion tokens / time after the first token,
over all answers, and the median per answer), first token, total, tokens per model evaluation and the
share of drafted tokens kept (approximately: stop strings end a step early); against "off": the ratios,
and how many greedy answers are token-for-token identical (with the shortest common prefix, in tokens,
of those that are not).
"grounded" repeats the figures for the answers that the answer guard (bot/answering/guards.py) finds
no loop or echo in, written without prompt lookup: loops are what prompt lookup speeds up most and
what the guard stops in production.
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
from bot.answering.generation import GenerationRequest  # noqa: E402
from bot.answering.llm import LlamaGenerator  # noqa: E402
from bot.answering.prompts import ANSWER_STOPS  # noqa: E402
from bot.model_files.resolving import packaged_embedding_path, packaged_llm_path  # noqa: E402
from bench.answer import _corpus_index, load_questions  # noqa: E402
from bench.corpora import DEFAULT_CORPORA, parse_corpus  # noqa: E402
from bench.loops import would_stop  # noqa: E402


def run_corpus(engine: AnswerEngine, generators: dict[str, LlamaGenerator], rows: list[dict], settings,
               max_tokens: int) -> dict:
    results: dict[str, list[dict]] = {mode: [] for mode in generators}
    modes = list(generators)
    for turn, row in enumerate(rows):
        prepared = engine.prepare(row["question"], history=row["history"])
        if not prepared.relevant:
            continue  # declined without the model
        request = GenerationRequest(prepared.messages, max_tokens=max_tokens, temperature=0.0,
                                    top_p=settings.llm.top_p, repeat_penalty=settings.llm.repeat_penalty,
                                    stop=ANSWER_STOPS)
        order = modes[turn % len(modes):] + modes[: turn % len(modes)]
        for mode in order:
            generator = generators[mode]
            generation = generator.submit(request)
            text = generation.text()
            s = generation.stats
            results[mode].append({
                "id": row["id"], "text": text, "tokens": generator._llama.tokenize(text.encode(), add_bos=False),
                "prompt_tokens": s.prompt_tokens, "cached": s.cached_prompt_tokens,
                "completion": s.completion_tokens, "first_token_s": s.first_token_s, "total_s": s.total_s,
                "steps": s.draft_steps, "drafted": s.draft_tokens})
        off = results["off"][-1]
        grounded = not would_stop(row["question"], prepared.language, off["text"])
        for mode in modes:
            results[mode][-1]["grounded"] = grounded
    report = {"answers": len(results["off"]),
              "grounded_answers": sum(r["grounded"] for r in results["off"]),
              "mean_prompt_tokens": _mean([r["prompt_tokens"] for r in results["off"]]),
              "all": _summary(results), "grounded": _summary(
                  {mode: [r for r in rs if r["grounded"]] for mode, rs in results.items()})}
    return report


def _summary(results: dict[str, list[dict]]) -> dict:
    out: dict = {}
    base = results["off"]
    for mode, rows in results.items():
        if not rows:
            out[mode] = {"answers": 0}
            continue
        gen_s = sum(max(r["total_s"] - r["first_token_s"], 1e-9) for r in rows)
        completion = sum(r["completion"] for r in rows)
        entry = {
            "answers": len(rows),
            "mean_completion_tokens": _mean([r["completion"] for r in rows]),
            "generation_tokens_per_s": round(completion / gen_s, 1),
            "median_answer_tokens_per_s": round(statistics.median(
                r["completion"] / max(r["total_s"] - r["first_token_s"], 1e-9) for r in rows if r["completion"]), 1)
            if any(r["completion"] for r in rows) else None,
            "mean_first_token_s": _mean([r["first_token_s"] for r in rows], 3),
            "mean_total_s": _mean([r["total_s"] for r in rows], 3),
        }
        if mode != "off":
            steps = sum(r["steps"] for r in rows)
            drafted = sum(r["drafted"] for r in rows)
            # the first token comes from the prompt; every step after it evaluates one sampled token
            # and its draft, and yields that token plus the drafted ones the sampler agrees with
            evaluations = steps + len(rows)
            entry["tokens_per_evaluation"] = round(completion / evaluations, 2) if evaluations else None
            entry["drafted_kept"] = round(max(completion - evaluations, 0) / drafted, 3) if drafted else None
            off_gen_s = sum(max(r["total_s"] - r["first_token_s"], 1e-9) for r in base)
            off_tps = sum(r["completion"] for r in base) / off_gen_s
            entry["vs_off"] = {
                "generation_tokens_per_s": round(entry["generation_tokens_per_s"] / off_tps, 3),
                "first_token": round(entry["mean_first_token_s"] / max(_mean([r["first_token_s"] for r in base], 6),
                                                                       1e-9), 3),
                "total": round(entry["mean_total_s"] / max(_mean([r["total_s"] for r in base], 6), 1e-9), 3)}
            same, prefixes = 0, []
            for a, b in zip(base, rows):
                if a["tokens"] == b["tokens"]:
                    same += 1
                else:
                    prefixes.append(len(os.path.commonprefix([a["tokens"], b["tokens"]])))
            entry["identical_to_off"] = f"{same}/{len(rows)}"
            entry["differing_from_token"] = {"min": min(prefixes), "median": statistics.median(prefixes)} \
                if prefixes else None
        out[mode] = entry
    return out


def _mean(values: list[float], digits: int = 1) -> float | None:
    return round(statistics.mean(values), digits) if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draft-tokens", default="2,10",
                        help="prompt-lookup draft sizes to compare with off (comma-separated; "
                             "llama-cpp-python: 10 is its default, 2 its advice for CPU-only machines)")
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--limit", type=int, help="only the first N questions of each corpus")
    parser.add_argument("--index", type=Path, help="keep (and reuse) the indexes in DIR/NAME")
    parser.add_argument("--model", type=Path, help="GGUF to measure (default: the packaged SmolLM2)")
    parser.add_argument("--corpus", action="append", type=parse_corpus, metavar="NAME=FOLDER:QAFILE")
    args = parser.parse_args()
    from knowledge.embeddings import open_embedder
    from knowledge.retrieval import Retriever

    settings = load_settings(environ={}, config_path=None)
    corpora = dict(args.corpus) if args.corpus else DEFAULT_CORPORA
    sizes = [int(n) for n in args.draft_tokens.split(",") if n.strip()]
    model = args.model or packaged_llm_path()
    embedder = open_embedder(str(packaged_embedding_path()))
    generators = {"off": LlamaGenerator(model, n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                                        n_threads_batch=settings.llm.threads_batch,
                                        prefix_states=settings.llm.prefix_states)}
    for n in sizes:
        generators[f"lookup_{n}"] = LlamaGenerator(model, n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                                                   n_threads_batch=settings.llm.threads_batch,
                                                   prefix_states=settings.llm.prefix_states, prompt_lookup=n)
    out: dict = {"llm": generators["off"].model_name, "max_tokens": args.max_tokens, "temperature": 0.0,
                 "top_p": settings.llm.top_p, "repeat_penalty": settings.llm.repeat_penalty,
                 "threads": settings.llm.threads, "cpu_count": os.cpu_count(),
                 "load_average_start": [round(x, 2) for x in os.getloadavg()], "corpora": {}}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="vraagbaak-decoding-") as tmp:
            for name, (folder, qa_file) in corpora.items():
                store = _corpus_index(embedder, name, folder, args.index or Path(tmp))
                engine = AnswerEngine(Retriever(embedder, store), generators["off"], embedder=embedder,
                                      top_k=settings.retrieval.top_k,
                                      context_budget_tokens=settings.answering.context_budget_tokens, cache_size=0)
                rows = load_questions(qa_file)[: args.limit]
                corpus_started = time.perf_counter()
                out["corpora"][name] = {**run_corpus(engine, generators, rows, settings, args.max_tokens),
                                        "seconds": round(time.perf_counter() - corpus_started, 1)}
    finally:
        for generator in generators.values():
            generator.close()
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
