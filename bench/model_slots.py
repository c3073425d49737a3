"""A morning rush on one model server with 1, 2 and 4 parallel slots; prints one JSON object.

    .venv/bin/python bench/model_slots.py [--slots 1 2 4] [--questions 20] [--max-tokens 96]
        [--threads 2] [--index DIR]

llama.cpp's own server (tools/llama-server.sh: built from the llama.cpp that llama-cpp-python
vendors, with the wheel's flags) runs the packaged SmolLM2-135M-Instruct with `--parallel N`
(continuous batching: the N slots are decoded together), each slot with the same context (2048
tokens). The same `--questions` questions (the first answerable ones of tests/data/qa.jsonl; a
follow-up keeps the question before it) are prepared once by the real AnswerEngine (retrieval over
the sample company with the packaged all-MiniLM-L6-v2, relevance policy, sentence selection, the
Dutch/English prompt) and then all asked at once through the `openai` backend (OpenAIGenerator),
which sends as many at a time as the server has slots; greedy, so each configuration gets the same
work. Reported per slot count:
- answers_per_minute: questions answered / seconds from the first submit to the last answer;
- first_token_s p50/p95/max: from submit to the first text, the wait a person in the queue feels;
- tokens_per_s: generated tokens of all answers together per second;
- ratios against 1 slot; the load average before and after each configuration.

Replicas: every figure here is one bot process. Two `vraagbaak serve` replicas on one server need
the durable question queue (the PostgreSQL/SQLite queue with leases that decides which replica
answers which question); `--replicas 2` is the place for that and is refused until then.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.answering.engine import AnswerEngine  # noqa: E402
from bot.answering.generation import Generation, GenerationRequest  # noqa: E402
from bot.answering.openai_backend import OpenAIGenerator  # noqa: E402
from bot.answering.prompts import ANSWER_STOPS  # noqa: E402
from bot.model_files.resolving import packaged_embedding_path, packaged_llm_path  # noqa: E402
from bench.answer import build_index, load_questions  # noqa: E402
from tests.servers.llama import LlamaServer, llama_server_binary  # noqa: E402

SLOT_CONTEXT = 2048


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 3)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def prepared_requests(engine: AnswerEngine, count: int, max_tokens: int, sampling: dict) -> list[GenerationRequest]:
    """The first `count` questions of qa.jsonl that the engine would send to the model."""
    requests = []
    for row in load_questions():
        prepared = engine.prepare(row["question"], history=row["history"])
        if prepared.relevant:
            requests.append(GenerationRequest(prepared.messages, max_tokens=max_tokens, stop=ANSWER_STOPS,
                                              **sampling))
        if len(requests) == count:
            return requests
    raise SystemExit(f"only {len(requests)} answerable questions in tests/data/qa.jsonl")


def rush(generator: OpenAIGenerator, requests: list[GenerationRequest]) -> dict:
    """All `requests` at once; each answer read to its end by a thread of its own."""
    started = time.perf_counter()
    generations = [generator.submit(request) for request in requests]
    readers = [threading.Thread(target=Generation.text, args=(g,)) for g in generations]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    wall = time.perf_counter() - started
    first = [g.stats.first_token_s for g in generations]
    tokens = sum(g.stats.completion_tokens for g in generations)
    return {"answers": len(generations), "seconds": round(wall, 2),
            "answers_per_minute": round(len(generations) * 60 / wall, 2),
            "first_token_s": {"p50": percentile(first, 0.5), "p95": percentile(first, 0.95),
                              "max": round(max(first), 3)},
            "completion_tokens": tokens, "tokens_per_s": round(tokens / wall, 1),
            "prompt_tokens_mean": round(statistics.mean(g.stats.prompt_tokens for g in generations))}


def one_configuration(slots: int, requests: list[GenerationRequest], threads: int, logs: Path) -> dict:
    server = LlamaServer(packaged_llm_path(), logs / f"llama-server-{slots}.log", parallel=slots,
                         n_ctx_per_slot=SLOT_CONTEXT, threads=threads, binary=llama_server_binary())
    started_in = server.start()
    try:
        generator = OpenAIGenerator(server.base_url)
        assert generator.server_slots().total == slots
        generator.submit(GenerationRequest(requests[0].messages, max_tokens=4)).text()  # weights paged in
        before = load()
        result = rush(generator, requests)
        generator.close()
        return {"slots": slots, "server_start_s": round(started_in, 2), **result,
                "load_before": before, "load_after": load()}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--index", type=Path, help="keep the sample company's index in this folder")
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()
    if args.replicas != 1:
        raise SystemExit("--replicas 2 needs the durable question queue that shares questions between "
                         "replicas; until then every figure is one bot process")

    from knowledge.embeddings import SentenceTransformerEmbedder
    from knowledge.retrieval import Retriever

    settings = load_settings(environ={}, config_path=None)
    logs = Path(tempfile.mkdtemp(prefix="bench-model-slots-"))
    embedder = SentenceTransformerEmbedder(str(packaged_embedding_path()))
    store, index_s = build_index(embedder, args.index)
    sampling = {"temperature": 0.0, "top_p": settings.llm.top_p, "repeat_penalty": settings.llm.repeat_penalty}
    tokenizer = LlamaServer(packaged_llm_path(), logs / "tokenizer.log", parallel=1, threads=args.threads,
                            binary=llama_server_binary())
    tokenizer.start()  # the engine budgets passages with the server's tokenizer, as in production
    try:
        engine = AnswerEngine.from_parts(settings, retriever=Retriever(embedder, store),
                                         generator=OpenAIGenerator(tokenizer.base_url))
        requests = prepared_requests(engine, args.questions, args.max_tokens, sampling)
    finally:
        tokenizer.stop()

    runs = [one_configuration(slots, requests, args.threads, logs) for slots in args.slots]
    base = runs[0]
    report = {
        "model": "SmolLM2-135M-Instruct (packaged GGUF)", "server": "llama-server (llama.cpp 0c1e57098)",
        "questions": len(requests), "max_tokens": args.max_tokens, "threads": args.threads,
        "slot_context": SLOT_CONTEXT, "cpus": os.cpu_count(), "index_s": round(index_s, 1),
        "runs": runs,
        "ratios_vs_first": {str(run["slots"]): {
            "answers_per_minute": round(run["answers_per_minute"] / base["answers_per_minute"], 2),
            "first_token_p50": round(run["first_token_s"]["p50"] / base["first_token_s"]["p50"], 2),
            "first_token_p95": round(run["first_token_s"]["p95"] / base["first_token_s"]["p95"], 2)}
            for run in runs},
        "replicas": {"1": "the runs above", "2": None,
                     "why_not_2": "needs the durable question queue (two serve processes sharing questions)"},
        "server_logs": str(logs),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
