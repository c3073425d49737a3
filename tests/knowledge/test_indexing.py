"""Re-index scenarios with the real packaged embedder and a real LanceDB."""

from __future__ import annotations

import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from knowledge.errors import IndexBusyError, SourceNotFoundError
from knowledge.retrieval import Retriever
from knowledge.index.store import ChunkStore
from tests.knowledge.conftest import (CountingEmbedder, CrashingEmbedder, DelegatingEmbedder,
                                      GatedEmbedder, make_indexer)
from tests.processes import ChildProcess

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def fts_docs(store: ChunkStore, words: str) -> set[str]:
    return {h.chunk.doc_id for h in store.search(_zero(store), words, mode="fts", k=20)}


def _zero(store):
    import numpy as np

    model = store.model()
    return np.zeros(model.dimension if model else 384, dtype=np.float32)


def test_first_run_adds_everything_and_finds_it(tmp_path, docs, embedder):
    indexer = make_indexer(tmp_path, embedder)
    report = indexer.reindex(docs, collection="bedrijf")
    assert sorted(report.added) == ["facilitair/fietsen.txt", "hr/vakantie.md", "it/vpn.md"]
    assert report.changed == [] and report.removed == [] and report.skipped == []
    assert report.chunks_embedded >= 3 and report.collections == ["bedrijf"] and report.started_at
    hits = Retriever(embedder, indexer.store).search("hoeveel vakantiedagen heb ik", k=3)
    assert hits[0].chunk.doc_id == "hr/vakantie.md"
    assert 0.0 < hits[0].relevance <= 1.0


def test_incremental_run_embeds_only_what_changed(tmp_path, docs, embedder):
    counting = CountingEmbedder(embedder)
    indexer = make_indexer(tmp_path, counting)
    indexer.reindex(docs, collection="bedrijf")
    version = indexer.store.version()

    counting.embedded.clear()
    unchanged = indexer.reindex(docs, collection="bedrijf")
    assert unchanged.unchanged == 3 and unchanged.chunks_embedded == 0 and counting.embedded == []
    assert not unchanged.changed_anything and indexer.store.version() == version

    (docs / "it" / "vpn.md").write_text("# VPN\n\nGebruik voortaan de client Tunnelblik.\n", encoding="utf-8")
    (docs / "facilitair" / "fietsen.txt").unlink()
    (docs / "hr" / "lunch.md").write_text("# Lunch\n\nDe lunch staat om half een klaar.\n", encoding="utf-8")
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (docs / "kapot.pdf").write_bytes(b"%PDF-1.4 kapot")
    report = indexer.reindex(docs, collection="bedrijf")
    assert report.added == ["hr/lunch.md"]
    assert report.changed == ["it/vpn.md"]
    assert report.removed == ["facilitair/fietsen.txt"]
    assert report.unchanged == 1
    assert [s.path for s in report.skipped] == ["kapot.pdf"] and "PDF" in report.skipped[0].reason
    assert all("Lunch" in t or "Tunnelblik" in t for t in counting.embedded)

    store = indexer.store
    assert set(store.documents("bedrijf")) == {"hr/vakantie.md", "hr/lunch.md", "it/vpn.md"}
    assert fts_docs(store, "tunnelblik") == {"it/vpn.md"}  # rows of a later run are in the FTS index
    assert fts_docs(store, "lunch") == {"hr/lunch.md"}
    assert fts_docs(store, "globalprotect fietsenstalling") == set()


def test_interrupted_run_leaves_the_previous_index_fully_usable(tmp_path, docs, embedder):
    store = ChunkStore(str(tmp_path / "index"))
    make_indexer(tmp_path, embedder, store).reindex(docs, collection="bedrijf")
    version, stats = store.version(), store.stats()

    (docs / "hr" / "vakantie.md").write_text("# Vakantie\n\nNieuw: 30 vakantiedagen.\n", encoding="utf-8")
    (docs / "it" / "nieuw.md").write_text("# Nieuw\n\nEen nieuwe printerregeling.\n", encoding="utf-8")
    (docs / "facilitair" / "fietsen.txt").unlink()
    with pytest.raises(RuntimeError, match="stroom"):
        make_indexer(tmp_path, CrashingEmbedder(embedder), store).reindex(docs, collection="bedrijf")

    assert store.version() == version and store.stats() == stats
    assert fts_docs(store, "fietsenstalling") == {"facilitair/fietsen.txt"}
    assert fts_docs(store, "printerregeling") == set()
    hits = Retriever(embedder, store).search("vakantiedagen", k=5, mode="hybrid")
    assert any("25 vakantiedagen" in h.chunk.text for h in hits)

    report = make_indexer(tmp_path, embedder, store).reindex(docs, collection="bedrijf")  # and it recovers
    assert report.changed == ["hr/vakantie.md"] and report.added == ["it/nieuw.md"]
    assert report.removed == ["facilitair/fietsen.txt"]


def test_two_runs_in_threads_one_is_refused_and_a_waiting_one_is_serialised(tmp_path, docs, embedder):
    store = ChunkStore(str(tmp_path / "index"))
    gated = GatedEmbedder(embedder)
    first = make_indexer(tmp_path, gated, store)
    second = make_indexer(tmp_path, embedder, store)
    results: dict[str, object] = {}
    runner = threading.Thread(target=lambda: results.setdefault("first", first.reindex(docs, collection="bedrijf")))
    runner.start()
    assert gated.entered.wait(60)
    with pytest.raises(IndexBusyError, match="herindexering"):
        second.reindex(docs, collection="bedrijf")
    waiter = threading.Thread(target=lambda: results.setdefault(
        "second", second.reindex(docs, collection="bedrijf", wait=True)))
    waiter.start()
    gated.gate.set()
    runner.join(60)
    waiter.join(60)
    assert len(results["first"].added) == 3
    # the waiting run got the lock only after the first one committed: it found nothing to do
    assert results["second"].unchanged == 3 and results["second"].chunks_embedded == 0
    assert store.stats()["documents"] == 3 and store.stats()["chunks"] == results["first"].chunks_embedded


def test_a_run_in_another_process_holds_the_lock(tmp_path, docs, embedder):
    state = tmp_path / "state"
    ready, release = tmp_path / "ready", tmp_path / "release"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})
        from knowledge.indexing import Indexer
        indexer = Indexer(None, None, None, lock_dir=Path({str(state)!r}))
        with indexer.lock():
            Path({str(ready)!r}).touch()
            deadline = time.monotonic() + 60
            while not Path({str(release)!r}).exists() and time.monotonic() < deadline:
                time.sleep(0.01)
    """)
    with ChildProcess([sys.executable, "-c", script]) as holder:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        indexer = make_indexer(tmp_path, embedder)
        with pytest.raises(IndexBusyError):
            indexer.reindex(docs, collection="bedrijf")
        release.touch()  # the other process lets go; a waiting run then gets the lock
        report = indexer.reindex(docs, collection="bedrijf", wait=True)
        assert len(report.added) == 3
        holder.wait(60)
    assert holder.returncode == 0


def test_change_of_embedding_model_rebuilds_the_whole_index(tmp_path, docs, embedder):
    store = ChunkStore(str(tmp_path / "index"))
    make_indexer(tmp_path, embedder, store).reindex(docs, collection="bedrijf")
    other = tmp_path / "other"
    (other / "x").mkdir(parents=True)
    (other / "x" / "a.md").write_text("# A\n\nandere collectie\n", encoding="utf-8")
    make_indexer(tmp_path, embedder, store).reindex(other, collection="ander")

    renamed = DelegatingEmbedder(embedder, name="ander-model")
    with pytest.raises(Exception, match="vraagbaak index"):
        Retriever(renamed, store).search("vakantie")
    report = make_indexer(tmp_path, renamed, store).reindex(docs, collection="bedrijf")
    assert report.full_rebuild and len(report.added) == 3
    assert store.model().name == "ander-model"
    assert set(store.stats()["collections"]) == {"bedrijf"}  # vectors of the old model are gone
    assert Retriever(renamed, store).search("vakantie", k=1)


def test_collections_are_kept_apart(tmp_path, docs, embedder):
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    it_root = tmp_path / "it-docs"
    it_root.mkdir()
    (it_root / "vakantie-it.md").write_text("# IT-vakantierooster\n\nVakantiedagen van de helpdesk.\n",
                                            encoding="utf-8")
    indexer.reindex(it_root, collection="it")
    retriever = Retriever(embedder, indexer.store)
    for mode in ("hybrid", "vector", "fts"):
        assert {h.chunk.collection for h in retriever.search("vakantiedagen", mode=mode, k=10,
                                                             collections=["it"])} == {"it"}
    assert indexer.store.documents("bedrijf").keys() == {"hr/vakantie.md", "it/vpn.md", "facilitair/fietsen.txt"}
    indexer.reindex(it_root, collection="it", full=True)
    assert len(indexer.store.documents("bedrijf")) == 3  # a full run of one collection leaves others alone


def test_missing_source_folder_is_a_clear_error(tmp_path, embedder):
    with pytest.raises(SourceNotFoundError, match="bestaat niet"):
        make_indexer(tmp_path, embedder).reindex(tmp_path / "nergens", collection="bedrijf")


def test_progress_reports_embedded_chunks(tmp_path, docs, embedder):
    seen: list[tuple[int, int]] = []
    report = make_indexer(tmp_path, embedder).reindex(docs, collection="bedrijf",
                                                      progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, report.chunks_embedded)
    assert seen[-1] == (report.chunks_embedded, report.chunks_embedded)


def test_a_changed_file_that_became_unreadable_keeps_its_previous_chunks(tmp_path, docs, embedder):
    from tests.knowledge.test_loaders import make_docx

    make_docx(docs / "hr" / "opleiding.docx")
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    old_hash = indexer.store.documents("bedrijf")["hr/opleiding.docx"]

    (docs / "hr" / "opleiding.docx").write_bytes(b"PK\x03\x04 half geschreven")
    report = indexer.reindex(docs, collection="bedrijf")
    assert [s.path for s in report.skipped] == ["hr/opleiding.docx"]
    assert "Word-bestand" in report.skipped[0].reason
    assert report.changed == [] and report.removed == []
    assert indexer.store.documents("bedrijf")["hr/opleiding.docx"] == old_hash
    assert fts_docs(indexer.store, "opleidingsbudget") == {"hr/opleiding.docx"}
