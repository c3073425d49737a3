"""A passage names its document: when the title is a first chapter ("Inleiding") or is shared by a
series ("Release notes"), the file's name leads the passage's full text, so a question that names the
document finds it. Real LanceDB in tmp_path, the packaged embedder."""

from __future__ import annotations

import pytest

from knowledge.models import Chunk, document_name
from knowledge.retrieval import Retriever
from tests.knowledge.conftest import make_indexer, write_docs

BODY = ("# Inleiding\n\nDit document beschrijft hoe de gegevens in de akte worden opgenomen en welke "
        "keuzes de notaris daarbij heeft.\n\n## Keuzes\n\n{}\n")
EXPLANATIONS = {
    "toelichtingen/Toelichting Tekstblok - Woonadres v2.4.md": BODY.format(
        "Een adres in het buitenland krijgt ook het land; een adres dat niet in de BAG staat wordt omschreven."),
    "toelichtingen/Toelichting Tekstblok - Burgerlijke staat v2.0.md": BODY.format(
        "Voor een persoon zijn er zes keuzes, voor twee personen samen drie."),
    "toelichtingen/Toelichting Tekstblok - Erfpachtcanon v2.0.md": BODY.format(
        "De canon kan jaarlijks, eeuwigdurend of tijdelijk zijn afgekocht."),
}


def chunk(doc_id: str, title: str, headings: tuple[str, ...] = ()) -> Chunk:
    return Chunk(id=f"c:{doc_id}#0", doc_id=doc_id, collection="c", title=title, headings=headings,
                 text="Tekst.", ordinal=0, content_hash="h")


def test_the_name_leads_the_full_text_only_where_the_title_does_not_say_it():
    explained = chunk("x/Toelichting Tekstblok - Registergoed 2.8.2 - v2.16.docx", "Inleiding", ("Algemeen",))
    assert explained.search_text == "Toelichting Tekstblok Registergoed 2.8.2 v2.16 > Inleiding > Algemeen\nTekst."
    assert explained.embedding_text == "Inleiding > Algemeen\nTekst."  # what is embedded stays as it was
    titled = chunk("hr/verlof.md", "Verlof en vakantie", ("Aanvragen",))
    assert titled.search_text == titled.embedding_text == "Verlof en vakantie > Aanvragen\nTekst."
    assert document_name("docs/devops/haven/index.md") == "haven"  # a folder's index page: the folder's name
    assert chunk("docs/devops/haven/index.md", "Haven (Kubernetes)").search_text == "Haven (Kubernetes)\nTekst."


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fts", "hybrid"])
def test_a_question_that_names_the_document_finds_it_among_documents_titled_alike(tmp_path, embedder, mode):
    docs = write_docs(tmp_path / "docs", EXPLANATIONS)
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(docs, collection="akten")
    retriever = Retriever(embedder, indexer.store)

    hits = retriever.search("hoe werkt het tekstblok burgerlijke staat?", k=3, mode=mode)

    assert hits and hits[0].chunk.doc_id == "toelichtingen/Toelichting Tekstblok - Burgerlijke staat v2.0.md"
    assert hits[0].chunk.title == "Inleiding"  # the title itself is kept as the document gave it
