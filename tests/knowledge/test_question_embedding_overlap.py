"""The question is embedded while the full-text search runs: a real Retriever over a real LanceDB in
tmp_path and the packaged embedder, whose question embedding waits until the full-text search has run.
Done one after the other, the embedding would wait for a search that only starts after it."""

from __future__ import annotations

import threading

import pytest

from knowledge.index.store import ChunkStore
from knowledge.retrieval import Retriever
from tests.knowledge.conftest import DelegatingEmbedder, make_indexer


class WatchedStore(ChunkStore):
    """Says when a full-text search has run."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.text_searched = threading.Event()

    def _text_rows(self, *args, **kwargs):
        rows = super()._text_rows(*args, **kwargs)
        self.text_searched.set()
        return rows


class WaitingEmbedder(DelegatingEmbedder):
    """Embeds a question only once the store's full-text search has run (or gives up after 10 s)."""

    def __init__(self, real, store: WatchedStore) -> None:
        super().__init__(real)
        self.store = store
        self.overlapped: list[bool] = []

    def embed_query(self, text):
        self.overlapped.append(self.store.text_searched.wait(10))
        self.store.text_searched.clear()
        return super().embed_query(text)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["hybrid", "fts"])
def test_the_question_is_embedded_while_the_full_text_search_runs(tmp_path, docs, embedder, mode):
    store = WatchedStore(str(tmp_path / "index"))
    make_indexer(tmp_path, embedder, store).reindex(docs, collection="bedrijf")
    store.text_searched.clear()
    waiting = WaitingEmbedder(embedder, store)

    found = Retriever(waiting, store).retrieve("hoeveel vakantiedagen krijg ik?", k=2, mode=mode)

    assert waiting.overlapped == [True]
    assert found.hits[0].chunk.doc_id == "hr/vakantie.md"
    assert found.query_vector is not None and found.hits[0].relevance > 0  # cosines from the same embedding
