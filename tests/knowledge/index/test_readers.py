"""Readers per chunk in LanceDB: search filters on them inside the query (vector, full text and
hybrid), readers change without re-embedding, and an index from before readers keeps working."""

from __future__ import annotations

from dataclasses import replace

import lancedb
import pyarrow as pa
import pytest

from knowledge.index.schema import TABLE
from knowledge.index.store import ChunkStore
from tests.knowledge.index.test_store import AXES, MODEL, chunk, rows

ANNA = "user:anna@contoso.nl"
BART = "user:bart@contoso.nl"
HR_GROUP = "group:sharepoint/g-hr"


def readable(c, *readers: str):
    return replace(c, readers=tuple(sorted(readers)))


@pytest.fixture
def store(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("docs", rows(
        [readable(chunk("salarissen.md", 0, "Salarisschalen en vakantiedagen van de directie.", "docs"), ANNA),
         readable(chunk("reorganisatie.md", 0, "Vakantiedagen tijdens de reorganisatie.", "docs"), HR_GROUP),
         readable(chunk("kantine.md", 0, "De kantine en je vakantiedagen.", "docs"), "everyone")],
        ["verlof", "verlof", "lunch"]), ["salarissen.md", "reorganisatie.md", "kantine.md"], model=MODEL)
    return store


@pytest.mark.parametrize("mode", ["vector", "fts", "hybrid"])
def test_a_person_gets_only_what_one_of_their_principals_may_read(store, mode):
    def found(*readers):
        return {h.chunk.doc_id for h in store.search(AXES["verlof"], "vakantiedagen", mode=mode, k=10,
                                                     readers=readers)}

    assert found("everyone") == {"kantine.md"}
    assert found("everyone", ANNA) == {"kantine.md", "salarissen.md"}
    assert found("everyone", BART, HR_GROUP) == {"kantine.md", "reorganisatie.md"}
    assert found() == set()  # nobody: nothing, not even the public document
    everything = store.search(AXES["verlof"], "vakantiedagen", mode=mode, k=10, readers=None)
    assert len({h.chunk.doc_id for h in everything}) == 3  # no readers given (the operator's CLI): all


def test_the_filter_works_before_ranking_so_a_full_top_k_of_allowed_chunks_comes_back(store):
    hits = store.search(AXES["verlof"], "", mode="vector", k=1, readers=["everyone"])
    assert [h.chunk.doc_id for h in hits] == ["kantine.md"]  # not an empty list after a post-filter


def test_readers_and_link_come_back_with_the_chunk(store):
    store.replace_documents("docs", rows([replace(chunk("link.md", 0, "Fietsplan.", "docs"),
                                                  url="https://contoso.sharepoint.com/link.md")], ["fiets"]),
                            ["link.md"], model=MODEL)
    hit = store.search(AXES["fiets"], "", mode="vector", k=1, readers=["everyone"])[0]
    assert hit.chunk.url == "https://contoso.sharepoint.com/link.md" and hit.chunk.readers == ("everyone",)


def test_set_readers_changes_only_readers_and_reports_what_changed(store):
    before = store.search(AXES["verlof"], "", mode="vector", k=10, readers=None)
    changed = store.set_readers("docs", {"salarissen.md": (BART,), "kantine.md": ("everyone",)})
    assert changed == ["salarissen.md"]
    assert store.set_readers("docs", {"salarissen.md": (BART,)}) == []  # nothing new: no commit
    revoked = store.search(AXES["verlof"], "salarisschalen", mode="hybrid", k=10, readers=["everyone", ANNA])
    assert "salarissen.md" not in {h.chunk.doc_id for h in revoked}
    after = {h.chunk.doc_id: h for h in store.search(AXES["verlof"], "", mode="vector", k=10, readers=[BART])}
    assert list(after) == ["salarissen.md"]
    old = {h.chunk.doc_id: h for h in before}["salarissen.md"]
    assert after["salarissen.md"].relevance == pytest.approx(old.relevance)  # same vector, not re-embedded
    assert after["salarissen.md"].chunk.text == old.chunk.text
    # the full-text index still finds the rewritten rows
    assert [h.chunk.doc_id for h in store.search(AXES["lunch"], "salarisschalen", mode="fts", k=5,
                                                 readers=[BART])] == ["salarissen.md"]


def test_an_index_from_before_readers_is_searched_as_readable_by_everyone_and_upgraded_on_write(tmp_path):
    uri = str(tmp_path / "index")
    store = ChunkStore(uri)
    store.replace_documents("hr", rows([chunk("verlof.md", 0, "Vakantiedagen per jaar.")], ["verlof"]),
                            ["verlof.md"], model=MODEL)
    db = lancedb.connect(uri)
    old = db.open_table(TABLE).to_arrow().drop_columns(["readers", "url"])
    schema = pa.schema([f for f in old.schema], metadata=old.schema.metadata)
    db.create_table(TABLE, data=old.cast(schema), mode="overwrite")
    store = ChunkStore(uri)
    assert [h.chunk.doc_id for h in store.search(AXES["verlof"], "", mode="vector", k=5,
                                                 readers=["everyone"])] == ["verlof.md"]
    store.replace_documents("hr", rows([readable(chunk("geheim.md", 0, "Geheim verlof."), ANNA)], ["verlof"]),
                            ["geheim.md"], model=MODEL)
    found = {h.chunk.doc_id for h in store.search(AXES["verlof"], "", mode="vector", k=5, readers=["everyone"])}
    assert found == {"verlof.md"}  # the old row became everyone's; the new one is Anna's only
    assert store.readers("hr") == {"verlof.md": ("everyone",), "geheim.md": (ANNA,)}
