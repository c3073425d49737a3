"""The corpora the benchmarks measure on: the sample company and the real Dutch corpus in shared/."""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_CORPORA = {
    "sample": (REPO / "knowledge" / "sample", REPO / "tests" / "data" / "qa.jsonl"),
    "developer-overheid": (SHARED_CORPORA / "developer-overheid", SHARED_CORPORA / "developer-overheid-qa.jsonl"),
}


def parse_corpus(value: str) -> tuple[str, tuple[Path, Path]]:
    """`--corpus NAME=FOLDER:QAFILE`"""
    name, sep, rest = value.partition("=")
    folder, sep2, qa_file = rest.rpartition(":")
    if not (sep and sep2 and name and folder and qa_file):
        raise argparse.ArgumentTypeError(f"expected NAME=FOLDER:QAFILE, got {value!r}")
    return name, (Path(folder), Path(qa_file))
