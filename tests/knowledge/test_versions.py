"""Versions and copies of one document, recognised by their file names; the newest first."""

from __future__ import annotations

from knowledge.models import Chunk, Hit
from knowledge.versions import document_version, newest_first, version_groups


def hit(doc_id: str, rank: int = 1) -> Hit:
    chunk = Chunk(id=f"c:{doc_id}#0", doc_id=doc_id, collection="c", title=doc_id, headings=(), text="tekst",
                  ordinal=0, content_hash=doc_id)
    return Hit(chunk=chunk, score=1.0 / rank, rank=rank)


def test_a_file_name_says_which_document_and_which_version():
    v = document_version("kik/tekstblokken/Tekstblok - Aanhef v1.3.docx")
    assert (v.family, v.version, v.label) == ("tekstblok aanhef", (1, 3), "v1.3")
    assert document_version("a/Toelichting Registergoed 2.15.0 - v2.16.docx").version == (2, 16)  # the last one
    assert document_version("x/Jaarverslag 2024-05-01.pdf").version == (2024, 5, 1)
    assert document_version("hr/verlof.md").version == ()


def test_the_newest_version_takes_the_best_place_of_its_document():
    hits = [hit("r1/Tekstblok - Aanhef v1.2.docx", 1), hit("hr/verlof.md", 2),
            hit("r2/Tekstblok - Aanhef v1.10.docx", 3)]
    reordered = newest_first(hits)
    assert [h.chunk.doc_id for h in reordered] == [
        "r2/Tekstblok - Aanhef v1.10.docx", "hr/verlof.md", "r1/Tekstblok - Aanhef v1.2.docx"]
    assert [h.rank for h in reordered] == [1, 2, 3]


def test_files_without_a_version_are_one_document_only_in_one_folder():
    hits = [hit(doc, rank) for rank, doc in enumerate(
        ["docs/a/index.md", "docs/b/index.md", "decks/plan.pptx", "decks/plan.pdf"], start=1)]
    assert newest_first(hits) == hits
    assert [[h.chunk.doc_id for h in group] for group in version_groups(hits)] == [
        ["decks/plan.pptx", "decks/plan.pdf"]]
