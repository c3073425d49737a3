"""Answers per minute with 1 and 2 `vraagbaak serve` replicas on the fake Slack; prints one JSON object.

    .venv/bin/python bench/replicas.py [--replicas 1 2] [--questions 12] [--slots 2] [--max-tokens 48]

Each configuration gets a fresh fake Slack (tests/fakes/slack: one Socket Mode connection per
replica, each envelope to one of them) and the same `--questions` questions, all pushed at once.
Every replica is a real `vraagbaak serve` process (tests/slack/replicas.py), reading one index in an
S3 bucket (SeaweedFS, as tests/servers starts it; built once by `vraagbaak index`) and asking one
llama-server with `--slots` parallel slots and the packaged SmolLM2-135M-Instruct (the
`openai` backend; greedy, so each configuration gets the same work). Reported per replica count:
- answers_per_minute: questions answered / seconds from the first push to the last answer;
- answer_s p50/p95/max: from the push to the finished answer in Slack;
- per_replica: how many questions each replica's connection received;
- the load average before and after, and this machine's CPU count.
With one model server, replicas add availability, not model throughput: the server's slots are
shared by all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.model_files.resolving import packaged_llm_path  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.servers.llama import LlamaServer  # noqa: E402
from tests.servers.objectstore import SeaweedS3  # noqa: E402
from tests.slack.load import ask_all  # noqa: E402
from tests.slack.replicas import answered_by, build_index, replica_environment, start_replica  # noqa: E402


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
            "max": round(ordered[-1], 2)}


def one_configuration(root: Path, bucket, llm_url: str, replicas: int, questions: int, max_tokens: int,
                      index_built: bool) -> dict:
    with FakeSlack(seed=replicas) as slack:
        environment = replica_environment(root, slack, bucket, llm_url, VRAAGBAAK_MAX_TOKENS=str(max_tokens))
        if not index_built:
            build_index(environment)
        started = [start_replica(slack, root / f"run-{replicas}", f"r{n}", environment) for n in range(replicas)]
        try:
            load_before = load_average()
            begin = time.monotonic()
            asked = ask_all(slack, questions)
            done: dict[int, float] = {}

            def record():
                assert all(r.alive() for r in started), [r.tail() for r in started]
                for question in asked:
                    if question.number not in done and question.answers(slack, marked=False):
                        done[question.number] = time.monotonic() - begin
                return len(done) == len(asked) or None
            slack.wait_until(record, 1800, "every answer")
            seconds = max(done.values())
            received = Counter(answered_by(slack, started, q.event_id)[0] for q in asked)
            return {"replicas": replicas, "questions": questions, "seconds": round(seconds, 1),
                    "answers_per_minute": round(60 * len(done) / seconds, 1),
                    "answer_s": percentiles(list(done.values())),
                    "answered_more_than_once": sum(len(q.answers(slack, marked=False)) > 1 for q in asked),
                    "per_replica": dict(sorted(received.items())),
                    "load_average_before": load_before, "load_average_after": load_average()}
        finally:
            for replica in started:
                replica.process.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()
    result: dict = {"cpu_count": os.cpu_count(), "slots": args.slots, "model": "SmolLM2-135M-Instruct (packaged)",
                    "load_average_start": load_average(), "configurations": []}
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
        root = Path(tmp)
        store = SeaweedS3(root / "seaweedfs")
        server = LlamaServer(packaged_llm_path(), root / "llama-server.log", parallel=args.slots)
        try:
            store.start()
            server.start()
            bucket = store.create_bucket()
            for position, count in enumerate(args.replicas):
                result["configurations"].append(one_configuration(
                    root, bucket, server.base_url, count, args.questions, args.max_tokens, index_built=position > 0))
        finally:
            server.stop()
            store.stop()
    base = result["configurations"][0]["answers_per_minute"]
    for configuration in result["configurations"]:
        configuration["ratio_to_first"] = round(configuration["answers_per_minute"] / base, 2) if base else None
    result["load_average_end"] = load_average()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
