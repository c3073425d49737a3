"""Chunking cost of one long line without sentence breaks (a log, an export, a minified page):
seconds and tokenizer calls for 0.25, 0.5 and 1 MB with the packaged embedding model's tokenizer.
Linear work shows as a constant time per MB. Prints JSON.

    .venv/bin/python bench/chunking.py [--sizes 0.25,0.5,1]

(The pass/fail suite bounds the tokenizer calls instead: tests/knowledge/test_hostile_files.py.)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import offline_environment  # noqa: E402

offline_environment()

from bot.model_files.resolving import packaged_embedding_path  # noqa: E402
from knowledge.chunking import Chunker  # noqa: E402
from knowledge.embeddings import open_embedder  # noqa: E402
from knowledge.models import Document  # noqa: E402

WORDS = ("de", "medewerker", "krijgt", "vakantiedagen", "per", "jaar", "bij", "een", "fulltime", "contract",
         "reiskostenvergoeding", "thuiswerken", "teamlead", "keurt", "goed", "2026", "artikel", "lid", "3")


def long_line(megabytes: float, seed: int = 13) -> str:
    rng = random.Random(seed)
    words, size = [], 0
    while size < megabytes * 1_000_000:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.25,0.5,1")
    args = parser.parse_args()
    embedder = open_embedder(str(packaged_embedding_path()))
    calls = 0

    def count_tokens(text: str) -> int:
        nonlocal calls
        calls += 1
        return embedder.count_tokens(text)

    results = []
    for megabytes in (float(x) for x in args.sizes.split(",")):
        line = long_line(megabytes)
        calls = 0
        started = time.perf_counter()
        chunks = Chunker(count_tokens).split(Document(id="log.txt", title="Log", text="# Log\n\n" + line,
                                                      modified=0.0, content_hash="h", collection="c",
                                                      source_path="/x/log.txt"))
        seconds = time.perf_counter() - started
        results.append({"megabytes": megabytes, "chunks": len(chunks), "tokenizer_calls": calls,
                        "seconds": round(seconds, 3), "seconds_per_mb": round(seconds / megabytes, 3)})
    print(json.dumps({"bench": "chunking_long_line", "results": results}, indent=2))


if __name__ == "__main__":
    main()
