"""Identical files indexed once (every path remembered), pages through the index, and an index of the
previous layout: with the real packaged embedder and a real LanceDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from knowledge.file_limits import FileLimits
from knowledge.index.schema import MODEL_KEY, DIMENSION_KEY, TABLE
from knowledge.index.store import ChunkStore
from knowledge.retrieval import Retriever
from tests.knowledge.conftest import make_indexer, write_docs
from tests.knowledge.formats.pdfs import make_report, make_scan
from tests.knowledge.formats.programs import needs_tesseract

pytestmark = pytest.mark.slow

MORTGAGE = "# Hypotheekakte Lloyds\n\nDe geldgever is Lloyds Bank GmbH; het model geldt sinds oktober 2021.\n"
OTHER = {"hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen per jaar.\n"}


def copies_folder(root: Path, paths: list[str]) -> Path:
    write_docs(root, OTHER)
    for path in paths:
        write_docs(root, {path: MORTGAGE})
    return root


def test_identical_files_are_indexed_once_and_the_hit_names_the_others(tmp_path, embedder):
    docs = copies_folder(tmp_path / "docs", ["lloyds/2021/akte.md", "lloyds/2025/akte.md", "archief/akte.md"])
    indexer = make_indexer(tmp_path, embedder)
    report = indexer.reindex(docs, collection="bedrijf")
    assert sorted(report.added) == ["archief/akte.md", "hr/vakantie.md", "lloyds/2021/akte.md", "lloyds/2025/akte.md"]
    stats = indexer.store.stats()
    assert stats["documents"] == 2
    hits = Retriever(embedder, indexer.store).search("wie is de geldgever van de Lloyds hypotheek", k=5)
    lloyds = [h.chunk for h in hits if "Lloyds" in h.chunk.text]
    assert {(c.doc_id, c.copies) for c in lloyds} == {
        ("archief/akte.md", ("lloyds/2021/akte.md", "lloyds/2025/akte.md"))}
    assert set(indexer.store.documents("bedrijf")) == {"archief/akte.md", "hr/vakantie.md", "lloyds/2021/akte.md",
                                                       "lloyds/2025/akte.md"}


def test_identical_files_are_indexed_under_their_newest_path(tmp_path, embedder):
    """Of one model in two release folders and an undated archive folder, a hit names the newest
    release, the others as its copies."""
    docs = copies_folder(tmp_path / "docs", ["archief/akte.md", "lloyds/20211015000021/akte.md",
                                             "lloyds/20250301000021/akte.md"])
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    hits = Retriever(embedder, indexer.store).search("wie is de geldgever van de Lloyds hypotheek", k=5)
    lloyds = [h.chunk for h in hits if "Lloyds" in h.chunk.text]
    assert {(c.doc_id, c.copies) for c in lloyds} == {
        ("lloyds/20250301000021/akte.md", ("lloyds/20211015000021/akte.md", "archief/akte.md"))}
    report = indexer.reindex(docs, collection="bedrijf")  # nothing changed: nothing read again
    assert (report.added, report.changed, report.removed, report.unchanged) == ([], [], [], 4)


def test_an_index_made_under_an_older_path_moves_to_the_newest_without_losing_the_document(tmp_path, embedder,
                                                                                             monkeypatch):
    docs = copies_folder(tmp_path / "docs", ["lloyds/20211015000021/akte.md", "lloyds/20250301000021/akte.md"])
    indexer = make_indexer(tmp_path, embedder)
    with monkeypatch.context() as earlier:  # as indexes were made before: under the first path
        earlier.setattr("knowledge.indexing.newest_path_first", list)
        indexer.reindex(docs, collection="bedrijf")
    assert indexer.store.copies("bedrijf")["lloyds/20211015000021/akte.md"][1] == ("lloyds/20250301000021/akte.md",)
    report = indexer.reindex(docs, collection="bedrijf")
    assert (report.added, report.changed, report.removed) == ([], [], [])
    indexed = {doc_id: copies for doc_id, (_, copies) in indexer.store.copies("bedrijf").items()}
    assert indexed == {"hr/vakantie.md": (), "lloyds/20250301000021/akte.md": ("lloyds/20211015000021/akte.md",)}
    assert indexer.store.stats()["documents"] == 2


def test_copies_come_and_go_without_losing_the_document(tmp_path, embedder):
    docs = copies_folder(tmp_path / "docs", ["a/akte.md", "b/akte.md"])
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")

    report = indexer.reindex(docs, collection="bedrijf")  # nothing changed
    assert (report.added, report.changed, report.removed, report.unchanged) == ([], [], [], 3)

    (docs / "a" / "akte.md").unlink()  # the path it was indexed under goes: the copy takes over
    report = indexer.reindex(docs, collection="bedrijf")
    assert report.removed == ["a/akte.md"] and report.added == [] and report.chunks_embedded > 0
    assert indexer.store.copies("bedrijf")["b/akte.md"][1] == ()

    write_docs(docs, {"c/akte.md": MORTGAGE})  # a new copy
    report = indexer.reindex(docs, collection="bedrijf")
    assert report.added == ["c/akte.md"]
    assert indexer.store.copies("bedrijf")["b/akte.md"][1] == ("c/akte.md",)

    write_docs(docs, {"c/akte.md": MORTGAGE + "\nGewijzigd in 2025.\n"})  # the copy changes: two documents again
    report = indexer.reindex(docs, collection="bedrijf")
    assert report.changed == ["c/akte.md"]
    copies = indexer.store.copies("bedrijf")
    assert copies["b/akte.md"][1] == () and copies["c/akte.md"][1] == ()


def test_passages_of_a_pdf_carry_their_page_into_the_search_results(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    make_report(docs / "verslag.pdf")
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    hits = Retriever(embedder, indexer.store).search("bureaustoel thuiswerken", k=3)
    assert hits[0].chunk.doc_id == "verslag.pdf" and hits[0].chunk.page == 3


@needs_tesseract
def test_a_pdf_read_in_part_is_indexed_and_reported(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    make_scan(docs / "notulen.pdf", text_page_before=True)
    indexer = make_indexer(tmp_path, embedder)
    indexer.limits = FileLimits(ocr_seconds=1e-6)
    report = indexer.reindex(docs, collection="bedrijf")
    assert report.added == ["notulen.pdf"] and report.skipped == []
    assert [(p.path, p.reason.split(":")[0]) for p in report.partly_read] == [
        ("notulen.pdf", "pagina 2 is gescand en niet gelezen")]


def _layout_one(store: ChunkStore) -> None:
    """Rewrites the table as the previous version wrote it: no page or copies column, no layout key."""
    table = store._db.open_table(TABLE)
    data = table.to_arrow().drop_columns(["page", "copies"])
    meta = {MODEL_KEY: table.schema.metadata[MODEL_KEY], DIMENSION_KEY: table.schema.metadata[DIMENSION_KEY]}
    store._db.create_table(TABLE, data=data.replace_schema_metadata(meta), mode="overwrite")
    store._table = None


def test_an_index_of_the_previous_layout_is_searched_then_rebuilt(tmp_path, embedder):
    docs = write_docs(tmp_path / "docs")
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    _layout_one(indexer.store)
    old = ChunkStore(indexer.store.uri)
    assert old.outdated()
    hits = Retriever(embedder, old).search("hoeveel vakantiedagen", k=3, mode="vector")
    assert hits and hits[0].chunk.page is None and hits[0].chunk.copies == ()

    report = indexer.reindex(docs, collection="bedrijf")
    assert report.full_rebuild and len(report.added) == 3
    assert not ChunkStore(indexer.store.uri).outdated()
    assert isinstance(ChunkStore(indexer.store.uri)._open().schema.field("page").type, pa.DataType)


def test_a_sample_pdf_copied_elsewhere_counts_once(tmp_path, embedder):
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    make_report(docs / "hr" / "verslag.pdf")
    shutil.copy(docs / "hr" / "verslag.pdf", docs / "verslag-kopie.pdf")
    indexer = make_indexer(tmp_path, embedder)
    report = indexer.reindex(docs, collection="bedrijf")
    assert sorted(report.added) == ["hr/verslag.pdf", "verslag-kopie.pdf"]
    assert indexer.store.stats()["documents"] == 1


def test_identical_files_named_as_different_documents_compare_by_day_alone():
    from knowledge.versions import newest_path_first

    # A higher version number of another document says nothing of which file is newer.
    assert newest_path_first(["bank-a/20250101/Toelichting A v9.0.docx", "bank-b/20260115/Toelichting B v2.0.docx"]) \
        == ["bank-b/20260115/Toelichting B v2.0.docx", "bank-a/20250101/Toelichting A v9.0.docx"]
    assert newest_path_first(["Lloyds/20211015000021/akte.docx", "Lloyds/20250301000021/akte.docx"])[0] \
        == "Lloyds/20250301000021/akte.docx"
