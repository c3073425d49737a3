"""What a search needs of the index besides the question's embedding is read before the embedding is
waited for, or ahead of the question altogether (knowledge/index/warming.py), and what does not change
between versions is read once per version: on a real LanceDB in tmp_path."""

from __future__ import annotations

import queue
import threading
from dataclasses import replace

import lance
import numpy as np

from bot.indexing.reindexer import RunReport
from bot.services import Services
from knowledge.index.kept import KeptPerVersion
from knowledge.index.schema import chunk_rows, readers_filter, result_columns
from knowledge.index.store import ChunkStore
from knowledge.index.vectors import IndexVectors
from knowledge.index.warming import IndexWarmer
from knowledge.models import Chunk
from tests.conftest import make_settings
from tests.knowledge.index.test_vectors_in_memory import ANNA, WIDE, wide_store  # noqa: F401 (a fixture)


class WatchedDataset:
    """A Lance dataset that says when rows are read through a filter."""

    def __init__(self, dataset, events: list[str]) -> None:
        self._dataset, self._events = dataset, events

    def __getattr__(self, name):
        return getattr(self._dataset, name)

    def to_table(self, *args, filter=None, **kwargs):  # noqa: A002 (Lance's own name)
        if filter:
            self._events.append("readers' rows read")
        return self._dataset.to_table(*args, filter=filter, **kwargs)


def test_the_vector_search_asks_for_the_embedding_only_once_the_vectors_and_the_readers_rows_are_read(
        wide_store):  # noqa: F811
    events: list[str] = []

    def dataset():
        events.append("vectors read")
        return WatchedDataset(lance.dataset(str(wide_store.table_dir)), events)

    vectors = IndexVectors(wide_store.version, dataset)
    query = np.random.default_rng(1).standard_normal(WIDE.dimension).astype(np.float32)

    def embedding():
        events.append("embedding asked")
        return query

    columns = result_columns(wide_store._open().schema)
    found = vectors.nearest(embedding, 5, readers_filter(["everyone"]), columns)

    assert events == ["vectors read", "readers' rows read", "embedding asked"]
    assert [r["chunk_id"] for r in found] == [r["chunk_id"] for r in
                                              vectors.nearest(query, 5, readers_filter(["everyone"]), columns)]


class CountingStore(ChunkStore):
    """Counts the reads of who may read the documents."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.readers_reads = 0

    def _scan(self, columns, where=None):
        self.readers_reads += "readers" in columns
        return super()._scan(columns, where)


def test_who_may_read_is_read_once_per_version_and_collection_and_a_change_is_seen(tmp_path, wide_store):  # noqa: F811
    store = CountingStore(wide_store.uri)
    first = store.readers("hr")
    assert store.readers("hr") == first and store.readers_reads == 1  # asked again: kept
    store.readers("it")
    assert store.readers_reads == 2  # another collection: read once too

    store.set_readers("hr", {"doc-1.md": (ANNA,)})  # a new version

    assert store.readers("hr")["doc-1.md"] == (ANNA,)
    assert store.readers_reads == 3


READ = ["vocabulary", "vectors", "titles"]  # all that a search keeps per version


def _chunk(i: int, text: str) -> Chunk:
    return replace(Chunk(id=f"hr:doc-{i}.md#0", doc_id=f"doc-{i}.md", collection="hr", title=f"Doc {i}",
                         headings=(), text=text, ordinal=0, content_hash=f"h{i}-{text}"), readers=("everyone",))


def test_a_new_version_is_read_ahead_by_the_warmer_so_that_no_question_waits_for_it(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    vectors = np.eye(WIDE.dimension, dtype=np.float32)[:3]
    store.replace_documents("hr", chunk_rows([_chunk(i, f"tekst {i}") for i in range(3)], vectors, WIDE),
                            [f"doc-{i}.md" for i in range(3)], model=WIDE)
    reads: list[list[str]] = []
    read = threading.Event()

    def warm():
        done = store.warm()
        if done:
            reads.append(done)
            read.set()

    warmer = IndexWarmer(warm, interval_s=3600).start()  # only at start and when told
    try:
        assert read.wait(30)
        assert reads == [READ]
        read.clear()

        store.replace_documents("hr", chunk_rows([_chunk(0, "nieuwe tekst")], vectors[:1], WIDE), ["doc-0.md"],
                                model=WIDE)
        warmer.now()  # as the reindexer's run_finished does

        assert read.wait(30)
        assert reads[-1] == READ
        assert store.warm() == []  # nothing left for the next question to read
        assert "nieuwe" in store.vocabulary().forms("nieuwe")
    finally:
        warmer.stop()


def test_a_question_during_the_read_ahead_waits_for_it_instead_of_reading_a_copy_of_its_own():
    version = [1]
    building, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def build():
        builds.append(version[0])
        building.set()
        assert release.wait(30)
        return version[0], f"vectors of version {version[0]}"

    kept = KeptPerVersion(lambda: version[0], build)
    warming = threading.Thread(target=kept.warm)
    warming.start()
    assert building.wait(30)
    found: list[str] = []
    question = threading.Thread(target=lambda: found.append(kept.current()))
    question.start()
    release.set()
    warming.join(30)
    question.join(30)

    assert found == ["vectors of version 1"]
    assert builds == [1]
    assert kept.warm() is False


class SignallingStore(ChunkStore):
    """Says what each read ahead read."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.warmed: queue.Queue[list[str]] = queue.Queue()

    def warm(self) -> list[str]:
        read = super().warm()
        self.warmed.put(read)
        return read


def test_the_services_read_a_new_version_ahead_as_soon_as_a_reindex_run_of_this_process_ends(tmp_path):
    store = SignallingStore(str(tmp_path / "index"))
    vectors = np.eye(WIDE.dimension, dtype=np.float32)[:2]
    store.replace_documents("hr", chunk_rows([_chunk(i, f"tekst {i}") for i in range(2)], vectors, WIDE),
                            ["doc-0.md", "doc-1.md"], model=WIDE)
    services = Services(make_settings(tmp_path / "data"), store=store)
    warmer = services.index_warmer
    warmer.interval_s = 3600  # only at start and when told
    warmer.start()
    try:
        assert store.warmed.get(timeout=30) == READ
        store.replace_documents("hr", chunk_rows([_chunk(0, "nieuwe tekst")], vectors[:1], WIDE), ["doc-0.md"],
                                model=WIDE)

        services.reindexer.run_finished.notify(RunReport(started_at="nu"))

        assert store.warmed.get(timeout=30) == READ
    finally:
        warmer.stop()
