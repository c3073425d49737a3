"""ChunkStore on a real LanceDB in tmp_path, with hand-made unit vectors (no model needed)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from knowledge.errors import EmbeddingModelMismatchError, KnowledgeError
from knowledge.models import Chunk
from knowledge.index.schema import TEXT_COLUMN, ModelInfo, chunk_rows
from knowledge.index.store import ChunkStore

MODEL = ModelInfo("test-model", 4)
AXES = {name: np.eye(4, dtype=np.float32)[i] for i, name in enumerate(["verlof", "wachtwoord", "fiets", "lunch"])}


def chunk(doc_id: str, ordinal: int, text: str, collection: str = "hr", headings=("Kop",)) -> Chunk:
    return Chunk(id=f"{collection}:{doc_id}#{ordinal}", doc_id=doc_id, collection=collection,
                 title=doc_id.split(".")[0], headings=tuple(headings), text=text, ordinal=ordinal,
                 content_hash=f"hash-{doc_id}", source_path=f"/bron/{doc_id}")


def rows(chunks: list[Chunk], topics: list[str]):
    vectors = np.stack([AXES[t] for t in topics]) if topics else np.zeros((0, 4), np.float32)
    return chunk_rows(chunks, vectors, MODEL)


@pytest.fixture
def store(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("hr", rows(
        [chunk("verlof.md", 0, "Je krijgt vijfentwintig vakantiedagen per jaar."),
         chunk("verlof.md", 1, "Verlof vraag je aan bij je teamlead."),
         chunk("ww.md", 0, "Een wachtwoord heeft minstens veertien tekens.")],
        ["verlof", "verlof", "wachtwoord"]), ["verlof.md", "ww.md"], model=MODEL)
    store.replace_documents("it", rows(
        [chunk("fiets.md", 0, "De fietsenstalling en vakantiedagen van IT.", collection="it")],
        ["fiets"]), ["fiets.md"], model=MODEL)
    return store


def test_vector_search_ranks_by_cosine_and_fills_relevance(store):
    hits = store.search(AXES["wachtwoord"], "", mode="vector", k=2)
    assert hits[0].chunk.doc_id == "ww.md" and hits[0].rank == 1
    assert hits[0].relevance == pytest.approx(1.0, abs=1e-5)
    assert hits[1].relevance == pytest.approx(0.0, abs=1e-5)


def test_full_text_search_uses_dutch_stemming(store):
    hits = store.search(AXES["lunch"], "wachtwoorden tekens", mode="fts", k=5)
    assert [h.chunk.doc_id for h in hits] == ["ww.md"]
    assert hits[0].relevance == pytest.approx(0.0, abs=1e-5)  # cosine with the query vector


def test_full_text_search_matches_any_term_and_title_words(store):
    hits = store.search(AXES["lunch"], "teamlead fietsenstalling", mode="fts", k=5)
    assert {h.chunk.id for h in hits} == {"hr:verlof.md#1", "it:fiets.md#0"}


def test_hybrid_fuses_both_lists(store):
    hits = store.search(AXES["verlof"], "wachtwoord", mode="hybrid", k=4)
    ids = [h.chunk.id for h in hits]
    assert set(ids[:3]) == {"hr:verlof.md#0", "hr:verlof.md#1", "hr:ww.md#0"}
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


@pytest.mark.parametrize("mode", ["vector", "fts", "hybrid"])
def test_collection_filter_is_applied_inside_the_query(store, mode):
    hits = store.search(AXES["fiets"], "vakantiedagen fietsenstalling", mode=mode, k=10, collections=["hr"])
    assert hits and all(h.chunk.collection == "hr" for h in hits)
    it_only = store.search(AXES["verlof"], "vakantiedagen", mode=mode, k=10, collections=["it"])
    assert [h.chunk.collection for h in it_only] == ["it"]
    assert store.search(AXES["verlof"], "vakantiedagen", mode=mode, k=10, collections=[]) == []


def test_unknown_mode_is_refused(store):
    with pytest.raises(KnowledgeError, match="zoekmodus"):
        store.search(AXES["verlof"], "x", mode="magic")


def test_stats_documents_and_version(store):
    stats = store.stats()
    assert stats["documents"] == 3 and stats["chunks"] == 4
    assert stats["collections"] == {"hr": {"documents": 2, "chunks": 3}, "it": {"documents": 1, "chunks": 1}}
    assert stats["embedding_model"] == "test-model"
    assert store.documents("hr") == {"verlof.md": "hash-verlof.md", "ww.md": "hash-ww.md"}
    before = store.version()
    store.replace_documents("hr", rows([], []), ["ww.md"], model=MODEL)
    assert store.version() > before
    assert store.documents("hr") == {"verlof.md": "hash-verlof.md"}


def test_replacing_a_document_drops_its_old_chunks_in_one_commit(store):
    before = store.version()
    store.replace_documents("hr", rows([chunk("verlof.md", 0, "Nu dertig vakantiedagen.")], ["verlof"]),
                            ["verlof.md"], model=MODEL)
    assert store.stats()["chunks"] == 3
    assert [h.chunk.text for h in store.search(AXES["lunch"], "dertig", mode="fts")] == ["Nu dertig vakantiedagen."]
    assert store.search(AXES["lunch"], "teamlead", mode="fts", collections=["hr"]) == []
    # one commit for the rows, one for refreshing the full-text index
    assert store.version() - before == 2
    table = store._open()
    table.checkout(before + 1)  # the state right after the merge is already complete
    assert table.count_rows("collection = 'hr'") == 2


def test_rows_added_after_the_index_was_built_are_found_by_full_text(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("hr", rows([chunk("a.md", 0, "Over de kerstborrel.")], ["lunch"]), ["a.md"], model=MODEL)
    store.replace_documents("hr", rows([chunk("b.md", 0, "Over de zomerbarbecue.")], ["lunch"]), ["b.md"], model=MODEL)
    store._open().add(rows([chunk("c.md", 0, "Over de nieuwjaarsreceptie.")], ["lunch"]))  # not indexed yet
    for word, doc_id in (("kerstborrel", "a.md"), ("zomerbarbecue", "b.md"), ("nieuwjaarsreceptie", "c.md")):
        assert [h.chunk.doc_id for h in store.search(AXES["lunch"], word, mode="fts")] == [doc_id]


def test_search_with_another_model_is_refused_with_advice(store):
    with pytest.raises(EmbeddingModelMismatchError, match="vraagbaak index"):
        store.check_model(ModelInfo("ander-model", 8))
    store.check_model(MODEL)


def test_empty_store_searches_to_nothing(tmp_path):
    store = ChunkStore(str(tmp_path / "leeg"))
    assert store.version() == 0 and store.model() is None
    assert store.search(AXES["verlof"], "verlof") == []
    assert store.stats()["chunks"] == 0


def test_overwrite_records_the_new_model(store):
    other = ModelInfo("ander-model", 4)
    store.overwrite(chunk_rows([chunk("x.md", 0, "Alleen dit nog.")], AXES["lunch"][None, :], other), other)
    assert store.model() == other
    assert store.stats()["chunks"] == 1
    assert [h.chunk.doc_id for h in store.search(AXES["lunch"], "alleen", mode="fts")] == ["x.md"]


def test_optimize_keeps_everything_searchable_and_recent_versions(store):
    reader = ChunkStore(store.uri)
    old_version = reader.version()
    store.replace_documents("hr", rows([chunk("nieuw.md", 0, "Nieuwe regeling lunch.")], ["lunch"]),
                            ["nieuw.md"], model=MODEL)
    result = store.optimize()
    assert result["optimized"]
    assert store.stats()["chunks"] == 5
    assert [h.chunk.doc_id for h in store.search(AXES["lunch"], "regeling", mode="fts")] == ["nieuw.md"]
    table = reader._open()
    table.checkout(old_version)  # a reader still on a version superseded moments ago keeps working
    assert table.count_rows() == 4


def test_cleanup_age_keeps_the_version_that_was_current_until_recently():
    from datetime import datetime, timedelta

    from knowledge.index.store import _cleanup_age

    now = datetime.now()
    versions = [{"timestamp": now - timedelta(hours=h)} for h in (5, 3, 2)]
    versions.append({"timestamp": now - timedelta(minutes=1)})
    age = _cleanup_age(versions, timedelta(minutes=10))
    cutoff = now - age
    # versions of 5 h and 3 h ago were superseded hours ago: removable; the 2 h old one was current
    # until a minute ago: kept, like the latest
    assert now - timedelta(hours=3) < cutoff < now - timedelta(hours=2)
    assert _cleanup_age(versions[-1:], timedelta(minutes=10)) > timedelta(days=365)


def test_hybrid_search_also_returns_the_vector_searchs_own_candidates(store):
    hits, candidates = store.search_with_candidates(AXES["verlof"], "wachtwoord", mode="hybrid", k=2, depth=3)
    assert hits == store.search(AXES["verlof"], "wachtwoord", mode="hybrid", k=2, depth=3)
    assert [h.chunk.doc_id for h in candidates] == [h.chunk.doc_id for h in store.search(AXES["verlof"], "",
                                                                                        mode="vector", k=3)]
    assert candidates[0].relevance == pytest.approx(1.0) and [h.rank for h in candidates] == [1, 2, 3]
    assert store.search_with_candidates(AXES["verlof"], "wachtwoord", mode="fts", k=2)[1] is None


class GatedStore(ChunkStore):
    """Holds the first vocabulary build inside its scan until `go` is set; counts the builds, and
    tells when another thread has asked for the index version."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.builds = 0
        self.building, self.go, self.asked_meanwhile = threading.Event(), threading.Event(), threading.Event()
        self.first_builder: int | None = None

    def version(self) -> int:
        if self.building.is_set() and threading.get_ident() != self.first_builder:
            self.asked_meanwhile.set()
        return super().version()

    def _scan(self, columns, where=None):
        if columns == [TEXT_COLUMN]:
            self.builds += 1
            if self.first_builder is None:
                self.first_builder = threading.get_ident()
                self.building.set()
                assert self.go.wait(30)
        return super()._scan(columns, where)


def test_the_vocabulary_is_built_by_one_thread_while_others_wait_for_it(store):
    """Two questions find the vocabulary out of date at once: the second waits for the first one's
    build instead of reading every chunk again itself."""
    gated = GatedStore(store.uri)
    found: list = []
    first = threading.Thread(target=lambda: found.append(gated.vocabulary()))
    first.start()
    assert gated.building.wait(30)  # the first question builds, and is held in the middle of it
    second = threading.Thread(target=lambda: found.append(gated.vocabulary()))
    second.start()
    assert gated.asked_meanwhile.wait(30)  # the second question has seen the version and wants it too
    gated.go.set()
    first.join(30), second.join(30)
    assert gated.builds == 1
    assert len(found) == 2 and found[0] is found[1]
    assert found[0].chunk_frequency("vakantiedagen") == 2
