"""A question that quotes a document's name finds that document: people quote what a thing is called
('in het voorbeeld "koper niet juist vermeld"'), and the name of an example's folder may be all that
ties its few lines to the question. Real LanceDB in tmp_path, the packaged multilingual e5."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.index.store import ChunkStore
from knowledge.models import names_the_document
from knowledge.retrieval import Retriever
from language.questions import quoted_phrases
from tests.knowledge.conftest import make_indexer, write_docs
from tests.knowledge.index.test_store import AXES, MODEL, chunk, rows

EXAMPLE = "voorbeelden/AA-2736 - Koper niet juist vermeld/Akte.md"
DOCS = {
    # The example says little in words of the question: its folder's name is what the question quotes.
    EXAMPLE: "# Akte\n\nVerkrijgers: Bouwbedrijf Noord B.V. en Stichting Woonzorg Zuid, ieder voor de helft.\n",
    "toelichtingen/Toelichting koper.md": (
        "# Toelichting koper\n\nDe koper wordt in de akte vermeld met naam en zetel. Wordt een koper niet "
        "juist vermeld, dan herstelt de notaris dat. Kopen meer partijen samen, dan staat ieders aandeel erbij.\n"),
    "toelichtingen/Toelichting partijen.md": (
        "# Toelichting partijen\n\nWelke partijen samen de koper vormen staat in de koopovereenkomst. Een "
        "partij die niet juist is vermeld wordt hersteld bij een akte van verbetering.\n"),
    "toelichtingen/Toelichting vermelding.md": (
        "# Vermelding van de koper\n\nDe koper en de verkoper worden juist vermeld: naam, zetel en "
        "inschrijvingsnummer. Niet juist vermelde partijen leiden tot een herstelakte.\n"),
}
QUESTION = 'in het voorbeeld "koper niet juist vermeld": welke partijen kopen daar samen?'


def test_the_phrases_a_question_quotes():
    assert quoted_phrases(QUESTION) == [("koper", "niet", "juist", "vermeld")]
    assert quoted_phrases("wat is “Akte van levering” en „de koper”?") == [("akte", "van", "levering"),
                                                                        ("de", "koper")]
    assert quoted_phrases("kies je voor 'Akte van levering' of niet") == [("akte", "van", "levering")]
    # one quoted word is a term like any other; apostrophes are no quotes
    assert quoted_phrases('kies je voor "Hypotheek" met het adres?') == []
    assert quoted_phrases("mag ik 's avonds de auto's van de zaak lenen?") == []


def test_a_document_is_named_by_its_folders_file_name_or_title_word_for_word():
    phrase = [("koper", "niet", "juist", "vermeld")]
    assert names_the_document(EXAMPLE, "Akte", phrase)  # the folder's name
    assert names_the_document("x/Koper niet juist vermeld.pdf", "Inleiding", phrase)  # the file's name
    assert names_the_document("x/akte.docx", "Koper: niet juist vermeld", phrase)  # the title
    assert not names_the_document("toelichtingen/Toelichting koper.md", "Toelichting koper", phrase)
    assert not names_the_document("x/Koper juist niet vermeld.md", "", phrase)  # not in a row


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, e5_small_embedder):
    root = tmp_path_factory.mktemp("quoted")
    indexer = make_indexer(root, e5_small_embedder)
    indexer.reindex(write_docs(root / "docs", DOCS), collection="akten")
    return Retriever(e5_small_embedder, indexer.store)


@pytest.mark.slow
def test_a_quoted_folder_name_puts_its_document_first(retriever):
    hits = retriever.search(QUESTION, k=3, mode="hybrid")

    assert hits and hits[0].chunk.doc_id == EXAMPLE


@pytest.mark.slow
def test_without_a_named_document_the_quotes_change_nothing(retriever):
    unquoted = [h.chunk.id for h in retriever.search("welke partijen kopen samen de koper?", k=4)]

    # a single quoted word, and a quoted phrase that names no document: the same hits as without quotes
    assert [h.chunk.id for h in retriever.search('welke "partijen" kopen samen de koper?', k=4)] == unquoted
    assert [h.chunk.id for h in retriever.search('welke partijen kopen "samen de koper"?', k=4)] == unquoted


@pytest.mark.slow
def test_a_named_document_outside_the_searched_collections_stays_out(tmp_path, e5_small_embedder):
    indexer = make_indexer(tmp_path, e5_small_embedder)
    indexer.reindex(write_docs(tmp_path / "voorbeelden", {EXAMPLE: DOCS[EXAMPLE]}), collection="voorbeelden")
    indexer.reindex(write_docs(tmp_path / "toelichtingen", {k: v for k, v in DOCS.items() if k != EXAMPLE}),
                    collection="toelichtingen")
    retriever = Retriever(e5_small_embedder, indexer.store)

    hits = retriever.search(QUESTION, k=5, mode="hybrid", collections=["toelichtingen"])

    assert hits and all(h.chunk.collection == "toelichtingen" for h in hits)
    assert retriever.search(QUESTION, k=1, mode="hybrid")[0].chunk.doc_id == EXAMPLE


def test_the_store_puts_a_named_document_first_only_for_whom_may_read_it(tmp_path):
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("docs", rows(
        [replace(chunk("kantine.md", 0, "De kantine en je vakantiedagen.", "docs"), readers=("everyone",)),
         replace(chunk("verlof/Vakantiedagen van de directie/salarissen.md", 0, "Salarisschalen.", "docs"),
                 readers=("user:anna@contoso.nl",))],
        ["verlof", "lunch"]), ["kantine.md", "verlof/Vakantiedagen van de directie/salarissen.md"], model=MODEL)
    named = ["verlof/Vakantiedagen van de directie/salarissen.md"]

    def first(readers):
        return store.search(AXES["verlof"], "vakantiedagen", mode="hybrid", k=2, readers=readers, named=named)

    assert first(["everyone", "user:anna@contoso.nl"])[0].chunk.doc_id == named[0]
    assert [h.chunk.doc_id for h in first(["everyone"])] == ["kantine.md"]
    assert store.search(AXES["verlof"], "vakantiedagen", mode="hybrid", k=2)[0].chunk.doc_id == "kantine.md"
