"""A SharePoint source (the local Graph) into the index: documents with their readers and links,
what a person may find, and the permission sync that changes readers without fetching or embedding."""

from __future__ import annotations

import pytest

from knowledge.index.store import ChunkStore
from knowledge.retrieval import Retriever
from knowledge.source_indexing import SourceIndexer
from tests.knowledge.conftest import CountingEmbedder, make_indexer
from tests.knowledge.sources.conftest import ANNA, ORG_LINK

pytestmark = pytest.mark.slow

ANNA_KEY = "user:anna.de.vries@contoso.nl"
BART_KEY = "user:bart.jansen@contoso.nl"
HR_KEY = "group:sharepoint/g-hr"


def found(store: ChunkStore, embedder, question: str, readers) -> set[str]:
    return {h.chunk.doc_id for h in Retriever(embedder, store).search(question, k=10, readers=readers)}


def test_a_source_is_indexed_with_readers_and_links_and_searched_per_person(tmp_path, make_source, embedder, graph):
    indexer = SourceIndexer(make_indexer(tmp_path, embedder))
    report, cursor = indexer.sync(make_source(), collection="intranet", cursor=None)
    assert sorted(report.added) == ["Documenten/hr/salarissen.md", "Documenten/hr/verzuim.md",
                                    "Documenten/intranet/kantine.md"]
    readers = indexer.store.readers("intranet")
    assert set(readers["Documenten/hr/salarissen.md"]) == {ANNA_KEY, BART_KEY}
    assert readers["Documenten/hr/verzuim.md"] == (HR_KEY,)
    assert readers["Documenten/intranet/kantine.md"] == ("everyone",)
    store = indexer.store
    assert found(store, embedder, "salaris schaal", ["everyone"]) == {"Documenten/intranet/kantine.md"}
    assert "Documenten/hr/salarissen.md" in found(store, embedder, "salaris schaal", ["everyone", ANNA_KEY])
    assert "Documenten/hr/salarissen.md" not in found(store, embedder, "salaris schaal", ["everyone", HR_KEY])
    hit = Retriever(embedder, store).search("kantine open", k=1, readers=["everyone"])[0]
    assert hit.chunk.url.startswith("https://") and hit.chunk.doc_id == "Documenten/intranet/kantine.md"


def test_an_unchanged_second_sync_embeds_nothing_and_a_deleted_or_renamed_file_follows(
        tmp_path, make_source, embedder, tenant, drive):
    counting = CountingEmbedder(embedder)
    indexer = SourceIndexer(make_indexer(tmp_path, counting))
    source = make_source()
    _, cursor = indexer.sync(source, collection="intranet", cursor=None)
    embedded = len(counting.embedded)
    report, cursor = indexer.sync(source, collection="intranet", cursor=cursor)
    assert len(counting.embedded) == embedded and not (report.added or report.changed or report.removed)
    tenant.delete(drive, "hr/verzuim.md")
    tenant.rename(drive, "intranet/kantine.md", "restaurant.md")
    report, cursor = indexer.sync(source, collection="intranet", cursor=cursor)
    assert report.removed == ["Documenten/hr/verzuim.md"]
    assert set(indexer.store.readers("intranet")) == {"Documenten/hr/salarissen.md",
                                                       "Documenten/intranet/restaurant.md"}


def test_a_revoked_reader_is_gone_after_one_permission_sync_without_downloads_or_embedding(
        tmp_path, make_source, embedder, tenant, drive, graph):
    counting = CountingEmbedder(embedder)
    indexer = SourceIndexer(make_indexer(tmp_path, counting))
    source = make_source()
    _, cursor = indexer.sync(source, collection="intranet", cursor=None)
    assert "Documenten/hr/salarissen.md" in found(indexer.store, embedder, "salaris schaal", [BART_KEY])
    tenant.set_permissions(drive, "hr/salarissen.md", [ANNA])  # Bart loses it
    tenant.set_permissions(drive, "hr/verzuim.md", [ORG_LINK])  # the whole organisation gains this one
    embedded, requests = len(counting.embedded), len(graph.requests)
    report = indexer.sync_readers(source, collection="intranet", cursor=cursor)
    assert sorted(report.changed) == ["Documenten/hr/salarissen.md", "Documenten/hr/verzuim.md"]
    assert len(counting.embedded) == embedded
    assert not [r for r in graph.requests[requests:] if r.kind == "download"]
    assert "Documenten/hr/salarissen.md" not in found(indexer.store, embedder, "salaris schaal",
                                                      ["everyone", BART_KEY])
    assert "Documenten/hr/salarissen.md" in found(indexer.store, embedder, "salaris schaal", [ANNA_KEY])
    assert "Documenten/hr/verzuim.md" in found(indexer.store, embedder, "ziek melden", ["everyone"])
