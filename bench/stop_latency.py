"""How fast the stop button stops the model: a real generation on the local GGUF (default the packaged
SmolLM2), cancelled after a number of tokens as `agent_session_stopped` cancels it; prints one JSON
object.

    .venv/bin/python bench/stop_latency.py [--runs 10] [--after-tokens 20] [--model GGUF]

Per run: the time from `cancel()` until the generation is done (the worker stops at its next
token), and the time a request waiting behind it needs to leave the queue when it is cancelled.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import offline_environment  # noqa: E402

offline_environment()

from bot.answering.generation import GenerationRequest  # noqa: E402
from bot.answering.llm import LlamaGenerator  # noqa: E402
from bot.model_files.resolving import packaged_llm_path  # noqa: E402

PROMPT = [{"role": "system", "content": "Je beantwoordt vragen uitgebreid, in het Nederlands."},
          {"role": "user", "content": "Beschrijf stap voor stap hoe ik verlof aanvraag en wat ik moet regelen."}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--after-tokens", type=int, default=20, help="pieces streamed before the stop")
    parser.add_argument("--model", default=str(packaged_llm_path()))
    args = parser.parse_args()
    threads = os.cpu_count() or 1
    generator = LlamaGenerator(args.model, n_ctx=2048, n_threads=threads, n_threads_batch=threads)
    running_stop, waiting_stop = [], []
    try:
        for _ in range(args.runs):
            running = generator.submit(GenerationRequest(PROMPT, max_tokens=400, temperature=0.0))
            waiting = generator.submit(GenerationRequest(PROMPT, max_tokens=400, temperature=0.0))
            for count, _piece in enumerate(running, start=1):
                if count >= args.after_tokens:
                    break
            started = time.perf_counter()
            waiting.cancel()
            waiting.text()
            waiting_stop.append(time.perf_counter() - started)
            started = time.perf_counter()
            running.cancel()
            running.text()
            running_stop.append(time.perf_counter() - started)
    finally:
        generator.close()
    print(json.dumps({
        "model": Path(args.model).name, "threads": threads, "runs": args.runs, "after_tokens": args.after_tokens,
        "load_average": os.getloadavg(),
        "generating_stop_s": {"median": statistics.median(running_stop), "max": max(running_stop)},
        "waiting_leaves_queue_s": {"median": statistics.median(waiting_stop), "max": max(waiting_stop)},
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
