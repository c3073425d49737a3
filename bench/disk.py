"""Bounded disk over many re-indexes: 50 runs of a changing corpus through `Reindexer.run()` (with
compaction, index refresh and clean-up of old versions after each), then the data folder's size and
the versions kept. Prints JSON. Target: size after 50 runs <= 2x the size after 10, <= 10 versions kept.

    .venv/bin/python bench/disk.py [--rounds 50]

(The pass/fail suite keeps a short version: tests/scheduling/test_disk.py.)
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

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.services import Services  # noqa: E402
from knowledge.index.store import ChunkStore  # noqa: E402


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def change_the_corpus(docs: Path, round_: int) -> None:
    """Every round one document changes, one comes and one goes."""
    (docs / "wisselend.md").write_text(
        f"# Wisselend\n\nVersie {round_}: de kantine is open tot {12 + round_ % 6} uur.\n", encoding="utf-8")
    (docs / f"nieuw-{round_}.md").write_text(
        f"# Nieuws {round_}\n\nBericht nummer {round_} over de verhuizing.\n", encoding="utf-8")
    old = docs / f"nieuw-{round_ - 1}.md"
    if old.exists():
        old.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vraagbaak-disk-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        (docs / "vast.md").write_text("# Vast\n\nDit document verandert nooit.\n", encoding="utf-8")
        settings = load_settings(environ={}, config_path=None, data_dir=Path(tmp) / "data",
                                 models_dir=Path(tmp) / "models", sources={"bedrijf": docs},
                                 reindex_cron="", consistency_cron="", keep_old_versions_seconds=0)
        services = Services(settings)
        sizes, started = {}, time.perf_counter()
        for round_ in range(1, args.rounds + 1):
            change_the_corpus(docs, round_)
            run = services.reindexer.run()
            assert run.ok, run.failures
            if round_ in (10, args.rounds):
                sizes[round_] = folder_size(settings.folders.data_dir)
        seconds = time.perf_counter() - started
        time.sleep(2)  # the store spares versions superseded less than ~1 s ago
        change_the_corpus(docs, args.rounds + 1)
        services.reindexer.run()
        versions = len(ChunkStore(settings.folders.index_location)._open().list_versions())
        print(json.dumps({
            "rounds": args.rounds, "seconds": round(seconds, 1), "data_folder_bytes": sizes,
            "versions_kept": versions,
            "targets": {"size_bounded": sizes[args.rounds] <= 2 * sizes[10], "versions<=10": versions <= 10},
            "load_average": os.getloadavg()[0],
        }, indent=2))


if __name__ == "__main__":
    main()
