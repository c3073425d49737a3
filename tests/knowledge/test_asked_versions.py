"""The newest version of a document leads, unless the question names another; a tie in the file's
version is broken by the folder it is in. The retriever's part with the real packaged embedder and a
real LanceDB."""

from __future__ import annotations

import pytest

from knowledge.models import Chunk, Hit
from knowledge.retrieval import Retriever
from knowledge.versions import asked_versions, newest_first
from tests.knowledge.conftest import make_indexer, write_docs

OTHER = {"hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen per jaar.\n",
         "it/vpn.md": "# VPN\n\nMet de VPN-client werk je veilig buiten kantoor.\n"}
AANHEF_OLD, AANHEF_NEW = "t/Tekstblok - Aanhef v2.12.docx", "t/Tekstblok - Aanhef v2.13.docx"


def hit(doc_id: str, rank: int) -> Hit:
    chunk = Chunk(id=f"c:{doc_id}#0", doc_id=doc_id, collection="c", title=doc_id, headings=(), text=doc_id,
                  ordinal=0, content_hash=doc_id)
    return Hit(chunk=chunk, score=1.0 / rank, rank=rank)


def order(hits: list[Hit], question: str = "") -> list[str]:
    return [h.chunk.doc_id for h in newest_first(hits, question)]


def test_a_question_names_versions_as_files_do():
    assert asked_versions("wat stond er in v2.12 van de aanhef?") == {(2, 12)}
    assert asked_versions("de Obvion 23.01 akte, versie 3.0") == {(23, 1), (3,)}
    assert asked_versions("we hebben 3 registergoederen met 4,22% rente") == set()


def test_the_newest_leads_unless_the_question_names_an_older_version():
    hits = [hit(AANHEF_OLD, 1), hit("hr/verlof.md", 2), hit(AANHEF_NEW, 3)]
    assert order(hits) == [AANHEF_NEW, "hr/verlof.md", AANHEF_OLD]
    assert order(hits, "wat zei tekstblok aanhef v2.12 over de notaris?") == [AANHEF_OLD, "hr/verlof.md", AANHEF_NEW]
    assert order(hits, "wat zegt versie 2.13?") == [AANHEF_NEW, "hr/verlof.md", AANHEF_OLD]


def test_of_two_files_with_one_version_the_one_in_the_newer_folder_leads():
    old, new = ("Hypotheek Lloyds/20211015000021/Modeldocument Lloyds v2.0.docx",
                "Hypotheek Lloyds/20250301000021/Modeldocument Lloyds v2.0.docx")
    assert order([hit(old, 1), hit(new, 2)]) == [new, old]
    assert order([hit(new, 1), hit(old, 2)]) == [new, old]


@pytest.mark.slow
def test_the_retriever_puts_the_newest_first_and_the_asked_version_when_it_is_named(tmp_path, embedder):
    older = "# Inleverregeling\n\n## Termijn\n\nDe declaratie lever je in vóór 1 maart, met de bonnen erbij.\n"
    newer = "# Inleverregeling\n\n## Termijn\n\nDe declaratie lever je in vóór 15 april, met de bonnen erbij.\n"
    docs = write_docs(tmp_path / "docs", {"2023/Inleverregeling v1.0.md": older,
                                          "2024/Inleverregeling v1.1.md": newer, **OTHER})
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="bedrijf")
    retriever = Retriever(embedder, indexer.store)

    def files(question: str) -> list[str]:
        found = [h.chunk.doc_id for h in retriever.search(question, k=3)]
        return [f for f in found if f.endswith((" v1.0.md", " v1.1.md"))]

    assert files("wanneer moet ik mijn declaratie inleveren?") == ["2024/Inleverregeling v1.1.md",
                                                                  "2023/Inleverregeling v1.0.md"]
    assert files("wanneer moest de declaratie binnen volgens versie 1.0 van de inleverregeling?") == [
        "2023/Inleverregeling v1.0.md", "2024/Inleverregeling v1.1.md"]
