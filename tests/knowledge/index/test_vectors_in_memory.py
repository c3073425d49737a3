"""The vectors a search ranks, kept in memory per index version (knowledge/index/vectors.py), on a real
LanceDB in tmp_path: the same ranking as LanceDB's own flat search, the filters decided by Lance, and
a re-index, a change of readers or another process's write seen by the next search."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from knowledge.index.schema import ModelInfo, chunk_rows, readers_filter, result_columns, result_rows
from knowledge.index.store import ChunkStore
from knowledge.index.vectors import IndexVectors
from knowledge.models import Chunk
from tests.knowledge.index.test_store import AXES, MODEL, chunk, rows

ANNA = "user:anna@contoso.nl"
WIDE = ModelInfo("test-model", 16)


def lance_flat_search(store: ChunkStore, vector: np.ndarray, limit: int, where: str | None) -> list[dict]:
    """LanceDB's own exact search of the table: what the store's search must equal."""
    table = store._open()
    query = (table.search(np.asarray(vector, dtype=np.float32), vector_column_name="vector")
             .distance_type("cosine").limit(limit).select([*result_columns(table.schema), "_distance"]))
    if where:
        query = query.where(where, prefilter=True)
    return result_rows(query.to_arrow())


@pytest.fixture
def wide_store(tmp_path):
    """120 chunks in two collections with random vectors, a third of them readable by Anna only,
    written in two commits (so the table has two fragments and a deleted row)."""
    rng = np.random.default_rng(3)
    store = ChunkStore(str(tmp_path / "index"))
    for collection in ("hr", "it"):
        chunks = [replace(Chunk(id=f"{collection}:doc-{i}.md#0", doc_id=f"doc-{i}.md", collection=collection,
                                title=f"Doc {i}", headings=(), text=f"tekst {i}", ordinal=0, content_hash=f"h{i}"),
                          readers=(ANNA,) if i % 3 == 0 else ("everyone",)) for i in range(60)]
        vectors = rng.standard_normal((len(chunks), WIDE.dimension)).astype(np.float32)
        store.replace_documents(collection, chunk_rows(chunks, vectors, WIDE), {c.doc_id for c in chunks},
                                model=WIDE)
    store.replace_documents("hr", chunk_rows([], np.zeros((0, WIDE.dimension), np.float32), WIDE), ["doc-7.md"],
                            model=WIDE)
    return store


@pytest.mark.parametrize("where", [None, readers_filter(["everyone"]), readers_filter([ANNA]),
                                   f"(collection IN ('it')) AND ({readers_filter(['everyone', ANNA])})",
                                   readers_filter([])])
def test_the_in_memory_search_ranks_as_lancedb_own_flat_search(wide_store, where):
    columns = result_columns(wide_store._open().schema)
    for seed in range(5):
        vector = np.random.default_rng(seed).standard_normal(WIDE.dimension).astype(np.float32)
        expected = lance_flat_search(wide_store, vector, 20, where)
        found = wide_store._vector_rows(vector, 20, where, columns)
        assert [r["chunk_id"] for r in found] == [r["chunk_id"] for r in expected]
        assert [r["_distance"] for r in found] == pytest.approx([r["_distance"] for r in expected], abs=1e-5)
        assert all(set(f) == set(e) for f, e in zip(found, expected))  # the same columns, nothing more
        assert "hr:doc-7.md#0" not in {r["chunk_id"] for r in found}  # deleted by the third commit


def test_a_search_after_a_re_index_ranks_the_new_vectors(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("hr", rows([chunk("verlof.md", 0, "Verlof."), chunk("ww.md", 0, "Wachtwoord.")],
                                       ["verlof", "wachtwoord"]), ["verlof.md", "ww.md"], model=MODEL)
    assert store.search(AXES["lunch"], "", mode="vector", k=1)[0].relevance == pytest.approx(0.0, abs=1e-6)

    store.replace_documents("hr", rows([chunk("ww.md", 0, "Lunch.")], ["lunch"]), ["verlof.md", "ww.md"],
                            model=MODEL)

    hits = store.search(AXES["lunch"], "", mode="vector", k=5)
    assert [h.chunk.doc_id for h in hits] == ["ww.md"]  # verlof.md is gone, ww.md has its new vector
    assert hits[0].chunk.text == "Lunch." and hits[0].relevance == pytest.approx(1.0, abs=1e-6)


def test_another_process_re_indexing_is_seen_by_the_next_search(tmp_path):
    reader = ChunkStore(str(tmp_path / "index"))
    writer = ChunkStore(str(tmp_path / "index"))
    writer.replace_documents("hr", rows([chunk("verlof.md", 0, "Verlof.")], ["verlof"]), ["verlof.md"], model=MODEL)
    assert [h.chunk.doc_id for h in reader.search(AXES["fiets"], "", mode="vector", k=5)] == ["verlof.md"]

    writer.replace_documents("hr", rows([chunk("fiets.md", 0, "Fiets.")], ["fiets"]), ["fiets.md"], model=MODEL)

    assert [h.chunk.doc_id for h in reader.search(AXES["fiets"], "", mode="vector", k=5)] == ["fiets.md", "verlof.md"]


def test_new_readers_apply_to_the_next_search_though_no_vector_changed(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    secret = replace(chunk("salaris.md", 0, "Salarissen."), readers=(ANNA,))
    store.replace_documents("hr", rows([secret], ["verlof"]), ["salaris.md"], model=MODEL)
    assert [h.chunk.doc_id for h in store.search(AXES["verlof"], "", mode="vector", readers=[ANNA])] == ["salaris.md"]

    store.set_readers("hr", {"salaris.md": ("group:directie",)})

    assert store.search(AXES["verlof"], "", mode="vector", readers=[ANNA]) == []
    assert [h.chunk.doc_id for h in store.search(AXES["verlof"], "", mode="vector",
                                                 readers=["group:directie"])] == ["salaris.md"]


def test_a_dropped_and_rebuilt_index_is_searched_anew(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("hr", rows([chunk("verlof.md", 0, "Verlof.")], ["verlof"]), ["verlof.md"], model=MODEL)
    store.search(AXES["verlof"], "", mode="vector")
    store.drop()
    store.replace_documents("hr", rows([chunk("ww.md", 0, "Wachtwoord.")], ["wachtwoord"]), ["ww.md"], model=MODEL)

    assert [h.chunk.doc_id for h in store.search(AXES["verlof"], "", mode="vector")] == ["ww.md"]


def test_the_vectors_and_a_filter_are_read_once_per_version(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("hr", rows([chunk("verlof.md", 0, "Verlof."), chunk("ww.md", 0, "Wachtwoord.")],
                                       ["verlof", "wachtwoord"]), ["verlof.md", "ww.md"], model=MODEL)
    opened: list[int] = []

    def dataset():
        opened.append(store.version())
        return store._open().to_lance()

    vectors = IndexVectors(store.version, dataset)
    columns = result_columns(store._open().schema)
    where = readers_filter(["everyone"])
    for _ in range(3):
        assert [r["doc_id"] for r in vectors.nearest(AXES["wachtwoord"], 1, where, columns)] == ["ww.md"]
    assert len(opened) == 1

    store.replace_documents("hr", rows([chunk("ww.md", 0, "Lunch.")], ["lunch"]), ["ww.md"], model=MODEL)

    assert [r["text"] for r in vectors.nearest(AXES["lunch"], 1, where, columns)] == ["Lunch."]
    assert len(opened) == 2 and opened[-1] == store.version()


def test_searches_at_once_leave_the_process_blas_threads_as_they_were(wide_store):
    """Each search ranks on one BLAS thread (a process-wide limit): however searches overlap, the
    limit is restored afterwards."""
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]

    before = blas_threads()
    columns = result_columns(wide_store._open().schema)
    vector = np.ones(WIDE.dimension, dtype=np.float32)

    def search():
        for _ in range(30):
            wide_store._vector_rows(vector, 5, None, columns)

    threads = [threading.Thread(target=search) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert blas_threads() == before


def test_chunks_with_the_same_vector_come_in_row_order_as_in_lancedb(tmp_path):
    """A chunk indexed twice (the same text in two documents) has the same vector twice: which of
    them a limit keeps is decided as LanceDB decides it, not by chance."""
    store = ChunkStore(str(tmp_path / "index"))
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((40, WIDE.dimension)).astype(np.float32)
    vectors[[4, 17, 33]] = vectors[9]  # four chunks with one vector
    chunks = [Chunk(id=f"hr:doc-{i}.md#0", doc_id=f"doc-{i}.md", collection="hr", title="", headings=(),
                    text="tekst", ordinal=0, content_hash=f"h{i}") for i in range(40)]
    store.replace_documents("hr", chunk_rows(chunks, vectors, WIDE), {c.doc_id for c in chunks}, model=WIDE)
    columns = result_columns(store._open().schema)
    for limit in (1, 2, 3, 5):
        expected = [r["chunk_id"] for r in lance_flat_search(store, vectors[9], limit, None)]
        assert [r["chunk_id"] for r in store._vector_rows(vectors[9], limit, None, columns)] == expected
