"""Bounded disk: compaction, index optimisation and clean-up of old versions after every re-index
keep the data folder from growing with the number of runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from knowledge.store import ChunkStore
from tests.scheduling.conftest import services_for, write_docs

pytestmark = pytest.mark.slow


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def change_the_corpus(docs: Path, round_: int) -> None:
    """Every round one document changes, one comes and one goes."""
    write_docs(docs, {"wisselend.md": f"# Wisselend\n\nVersie {round_}: de kantine is open tot {12 + round_ % 6} uur.\n",
                      f"nieuw-{round_}.md": f"# Nieuws {round_}\n\nBericht nummer {round_} over de verhuizing.\n"})
    old = docs / f"nieuw-{round_ - 1}.md"
    if old.exists():
        old.unlink()


def test_fifty_reindexes_of_a_changing_corpus_keep_the_data_folder_bounded(tmp_path, embedder):
    docs = write_docs(tmp_path / "docs", {"vast.md": "# Vast\n\nDit document verandert nooit.\n"})
    # No grace for readers here: every superseded version may go at once (the default keeps 10 min).
    services = services_for(tmp_path, embedder, {"bedrijf": docs}, keep_old_versions_seconds=0)
    data = services.settings.data_dir
    sizes = {}
    for round_ in range(1, 51):
        change_the_corpus(docs, round_)
        run = services.reindexer.run()
        assert run.ok and run.changed_anything and run.maintenance.get("optimized"), run.maintenance
        if round_ in (10, 50):
            sizes[round_] = folder_size(data)
    store = ChunkStore(services.settings.index_location)
    assert store.stats()["documents"] == 3  # vast, wisselend, nieuw-50
    assert sizes[50] <= 2 * sizes[10], sizes

    # Each run writes ~4 versions; without the clean-up 50 runs leave ~200. The store spares versions
    # superseded less than about a second ago (its margin), so after a pause one more run leaves
    # only its own few.
    time.sleep(2)
    change_the_corpus(docs, 51)
    services.reindexer.run()
    versions = store._open().list_versions()
    assert len(versions) <= 10, f"{len(versions)} versions kept after 51 runs: old ones are not cleaned up"
