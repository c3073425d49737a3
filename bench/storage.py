"""The storage layer's cost per operation (bot/storage on SQLite files in a temporary folder): what an
answer, a vote, a greeting and a followed thread add to the bot's work, and an erasure request over
every store. Prints one JSON object: milliseconds per operation (median and p95) and the load average.

    .venv/bin/python bench/storage.py --rows 2000
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

from bot.services import Services  # noqa: E402
from bot.settings import load_settings  # noqa: E402


def timed(operation, count: int) -> dict[str, float]:
    """Milliseconds per call of `operation(i)` for i in range(count): median and p95."""
    took = []
    for i in range(count):
        started = time.perf_counter()
        operation(i)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {"median_ms": round(statistics.median(took), 3), "p95_ms": round(took[int(len(took) * 0.95)], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="answers, votes and greetings written")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        services = Services(load_settings(environ={}, config_path=None, data_dir=Path(folder), follow_up_days=7))
        feedback, registry = services.feedback, services.personal_data
        greeted = services.first_contacts.once("greeted")
        ids: list[str] = []
        result = {
            "rows": args.rows,
            "record_answer": timed(lambda i: ids.append(feedback.record_answer(
                question=f"Vraag {i}?", answer="Antwoord.", sources=[], user=f"U{i % 50}", channel="C1")), args.rows),
            "vote": timed(lambda i: feedback.vote(ids[i], user=f"U{i % 37}", vote="up"), args.rows),
            "answer_read": timed(lambda i: feedback.answer(ids[i]), args.rows),
            "first_time": timed(lambda i: greeted.first_time(f"U{i}"), args.rows),
            "remember_thread": timed(lambda i: services.followed_threads.remember("C1", f"{i}.0001", f"U{i % 50}"),
                                     args.rows),
            "forget_one_person_everywhere": timed(
                lambda i: registry.forget(services.pseudonymizer.person(f"U{i}")), 20),
            "load_average": os.getloadavg()[0],
        }
        services.close()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
