"""How long the real servers that the tests start take to come up; prints one JSON object.

    .venv/bin/python bench/server_startup.py [--times 3]

Each server (tests/servers/) is started `--times` times from nothing, in a fresh folder: PostgreSQL
(initdb included) until a connection succeeds, SeaweedFS until a bucket can be made through its S3
gateway, llama-server with the packaged SmolLM2 and 2 slots until /health says the model is loaded.
Also the per-test pieces: a fresh database, a fresh bucket. Seconds, median and max; the stop too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.model_files.resolving import packaged_llm_path  # noqa: E402
from tests.servers.llama import LlamaServer, llama_server_binary  # noqa: E402
from tests.servers.objectstore import SeaweedS3  # noqa: E402
from tests.servers.postgres import PostgresServer  # noqa: E402


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def summary(values: list[float]) -> dict:
    return {"median_s": round(statistics.median(values), 3), "max_s": round(max(values), 3)}


def measure(make, per_test, times: int) -> dict:
    starts, stops, pieces = [], [], []
    for _ in range(times):
        root = Path(tempfile.mkdtemp(prefix="bench-startup-"))
        server = make(root)
        try:
            starts.append(timed(server.start))
            if per_test is not None:
                pieces += [timed(lambda: per_test(server)) for _ in range(5)]
        finally:
            stops.append(timed(server.stop))
            shutil.rmtree(root, ignore_errors=True)
    result = {"start": summary(starts), "stop": summary(stops)}
    if pieces:
        result["per_test"] = summary(pieces)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=3)
    args = parser.parse_args()
    binary = llama_server_binary()
    report = {
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "postgresql": measure(PostgresServer, PostgresServer.create_database, args.times),
        "seaweedfs_s3": measure(SeaweedS3, SeaweedS3.create_bucket, args.times),
        "llama_server_2_slots": measure(
            lambda root: LlamaServer(packaged_llm_path(), root / "server.log", parallel=2, binary=binary),
            None, args.times),
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
