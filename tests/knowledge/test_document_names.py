"""A passage names its document: when the title is a first chapter ("Inleiding") or is shared by a
series ("Release notes"), the file's name leads the passage's context, so a question that names the
document finds it. Real LanceDB in tmp_path, the packaged embedder."""

from __future__ import annotations

import pytest

from knowledge.models import document_name, passage_context
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


def test_the_name_leads_only_where_the_title_does_not_say_it():
    assert passage_context("x/Toelichting Tekstblok - Registergoed 2.8.2 - v2.16.docx", "Inleiding", ("Algemeen",)) \
        == "Toelichting Tekstblok Registergoed 2.8.2 v2.16 > Inleiding > Algemeen"
    assert passage_context("hr/verlof.md", "Verlof en vakantie", ("Aanvragen",)) == "Verlof en vakantie > Aanvragen"
    assert document_name("docs/devops/haven/index.md") == "haven"  # a folder's index page: the folder's name
    assert passage_context("docs/devops/haven/index.md", "Haven (Kubernetes)", ()) == "Haven (Kubernetes)"


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
