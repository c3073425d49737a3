"""No question lost at scale: tests/slack/test_no_question_lost.py's scenario with more people; prints
one JSON object.

    .venv/bin/python bench/no_question_lost.py [--questions 20]

Two `vraagbaak serve` replicas on one fake Slack, the question queue in PostgreSQL, the index in an
S3 bucket (SeaweedFS), one llama-server with 2 slots and the packaged SmolLM2-135M-Instruct, all
started as tests/servers starts them. `--questions` people ask at once (two of them first start a
thread and then follow up in it; the rest mention the bot in a channel, write a DM, use `/vraag` or
the shortcut; three mentions are delivered twice), and one replica is killed with SIGKILL in the
middle of an answer. The scenario asserts, as the test does, that every question is answered exactly
once and the half-written answer is closed with a note; this reports how many of each kind were
asked, whether it held, the seconds it took and the load average.
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

from bot.model_files.resolving import packaged_llm_path  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.servers.llama import LlamaServer  # noqa: E402
from tests.servers.objectstore import SeaweedS3  # noqa: E402
from tests.servers.postgres import PostgresServer  # noqa: E402
from tests.slack.replicas import build_index, replica_environment  # noqa: E402
from tests.slack.test_no_question_lost import survive_a_kill  # noqa: E402


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    result: dict = {"cpu_count": os.cpu_count(), "questions": args.questions, "load_average_start": load_average()}
    with tempfile.TemporaryDirectory(prefix="bench-no-question-lost-") as tmp:
        root = Path(tmp)
        store, database = SeaweedS3(root / "seaweedfs"), PostgresServer(root / "postgres")
        server = LlamaServer(packaged_llm_path(), root / "llama-server.log", parallel=2)
        try:
            store.start()
            database.start()
            server.start()
            bucket = store.create_bucket()
            with FakeSlack() as slack:
                build_index(replica_environment(root / "scenario", slack, bucket, server.base_url))
            begin = time.monotonic()
            try:
                kinds = survive_a_kill(root / "scenario", bucket, database.create_database(), server.base_url,
                                       args.questions)
                result.update(held=True, kinds=dict(sorted(kinds.items())))
            except AssertionError as failed:
                result.update(held=False, failure=str(failed)[-2000:])
            result["seconds"] = round(time.monotonic() - begin, 1)
        finally:
            server.stop()
            database.stop()
            store.stop()
    result["load_average_end"] = load_average()
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["held"] else 1)


if __name__ == "__main__":
    main()
