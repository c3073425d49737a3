"""The corpora the benchmarks measure on: the sample company and the real Dutch corpora in shared/."""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# shared/ lies beside the checkout; a git worktree under <main's parent>/wt/NAME finds it one level up.
SHARED_CORPORA = next((folder / "shared" / "corpora" for folder in (REPO.parent, REPO.parent.parent)
                       if (folder / "shared" / "corpora").is_dir()), REPO.parent / "shared" / "corpora")
DEFAULT_CORPORA = {
    "sample": (REPO / "knowledge" / "sample", REPO / "tests" / "data" / "qa.jsonl"),
    "developer-overheid": (SHARED_CORPORA / "developer-overheid", SHARED_CORPORA / "developer-overheid-qa.jsonl"),
    "kadaster-aktemodellen": (SHARED_CORPORA / "kadaster-aktemodellen",
                              SHARED_CORPORA / "kadaster-aktemodellen-qa.jsonl"),
}


def parse_corpus(value: str) -> tuple[str, tuple[Path, Path]]:
    """`--corpus NAME=FOLDER:QAFILE`"""
    name, sep, rest = value.partition("=")
    folder, sep2, qa_file = rest.rpartition(":")
    if not (sep and sep2 and name and folder and qa_file):
        raise argparse.ArgumentTypeError(f"expected NAME=FOLDER:QAFILE, got {value!r}")
    return name, (Path(folder), Path(qa_file))
