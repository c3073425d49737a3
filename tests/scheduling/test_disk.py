"""Bounded disk: compaction, index optimisation and clean-up of old versions after every re-index
keep the data folder from growing with the number of runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from knowledge.index.store import ChunkStore
from tests.scheduling.conftest import services_for, write_docs

pytestmark = pytest.mark.slow


def change_the_corpus(docs: Path, round_: int) -> None:
    """Every round one document changes, one comes and one goes."""
    write_docs(docs, {"wisselend.md":
                      f"# Wisselend\n\nVersie {round_}: de kantine is open tot {12 + round_ % 6} uur.\n",
                      f"nieuw-{round_}.md": f"# Nieuws {round_}\n\nBericht nummer {round_} over de verhuizing.\n"})
    old = docs / f"nieuw-{round_ - 1}.md"
    if old.exists():
        old.unlink()


def test_repeated_reindexes_clean_up_old_versions(tmp_path, embedder):
    """Eight runs here; bench/disk.py runs fifty and measures the data folder's size."""
    docs = write_docs(tmp_path / "docs", {"vast.md": "# Vast\n\nDit document verandert nooit.\n"})
    # No grace for readers here: every superseded version may go at once (the default keeps 10 min).
    services = services_for(tmp_path, embedder, {"bedrijf": docs}, keep_old_versions_seconds=0)
    for round_ in range(1, 9):
        change_the_corpus(docs, round_)
        run = services.reindexer.run()
        assert run.ok and run.changed_anything and run.maintenance.get("optimized"), run.maintenance
    store = ChunkStore(services.settings.folders.index_location)
    assert store.stats()["documents"] == 3  # vast, wisselend, nieuw-8

    # Each run writes ~4 versions; without the clean-up 8 runs leave ~32. The store spares versions
    # superseded less than about a second ago (its margin, a real clock), so after a pause one more
    # run leaves only its own few.
    time.sleep(2)
    change_the_corpus(docs, 9)
    services.reindexer.run()
    versions = store._open().list_versions()
    assert len(versions) <= 10, f"{len(versions)} versions kept after 9 runs: old ones are not cleaned up"
