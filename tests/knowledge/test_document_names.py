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


# --- what names a passage, as a full-text column of its own ---

def test_a_passage_is_named_by_its_document_title_and_headings_each_word_once():
    named = chunk("src/nl/vereniging/alv/index.md", "Algemene ledenvergadering (ALV)", ("Stemmen", "Machtigen"))
    assert named.name_text == "alv algemene ledenvergadering stemmen machtigen"
    assert chunk("hr/verlof.md", "Verlof").name_text == "verlof"


NAMED = {"vereniging/vrijwilliger-worden/index.md": ("Vrijwilliger worden?", ("Wat verwachten we?",),
                                                     "Twee uur per week, een jaar lang, in een commissie naar keuze."),
         "notulen/2013-07-16.md": ("Notulen bestuursvergadering 16 juli 2013", (),
                                   "Vrijwilligers van de commissie verwachten meer tijd; van vrijwilligers wordt veel "
                                   "verwacht, vrijwilligers krijgen een bedankje."),
         "blog/kosten.md": ("Wat kost de vereniging?", (), "De vereniging betaalt de zaal en de koffie.")}


def named_rows(schema_without_names: bool = False):
    import numpy as np

    from knowledge.index.schema import NAME_COLUMN, ModelInfo, chunk_rows

    chunks = [Chunk(id=f"c:{doc}#0", doc_id=doc, collection="c", title=title, headings=headings, text=text,
                    ordinal=0, content_hash=doc) for doc, (title, headings, text) in NAMED.items()]
    rows = chunk_rows(chunks, np.ones((len(chunks), 4), dtype=np.float32) / 2, ModelInfo("fake", 4))
    return rows.drop_columns([NAME_COLUMN]) if schema_without_names else rows


def named_store(tmp_path):
    from knowledge.index.schema import ModelInfo
    from knowledge.index.store import ChunkStore

    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("c", named_rows(), list(NAMED), model=ModelInfo("fake", 4))
    return store


def first_found(store, question: str, **weights) -> str:
    import dataclasses

    import numpy as np

    from knowledge.query import text_query

    query = dataclasses.replace(text_query(question, store.vocabulary()), **weights)
    return store.search(np.ones(4, dtype=np.float32) / 2, query, mode="fts", k=3)[0].chunk.doc_id


def test_a_question_in_the_words_of_a_title_finds_the_page_it_names_before_passages_that_repeat_them(tmp_path):
    store = named_store(tmp_path)
    question = "wat wordt er van je verwacht als vrijwilliger?"
    assert first_found(store, question) == "vereniging/vrijwilliger-worden/index.md"
    assert first_found(store, question, name_weight=0.0) == "notulen/2013-07-16.md"  # the passage's words alone


def test_a_table_from_before_the_names_gets_them_at_the_next_re_index_even_when_nothing_changed(tmp_path):
    import lancedb

    from knowledge.index.schema import NAME_COLUMN, TABLE, ModelInfo
    from knowledge.index.store import ChunkStore

    old = named_rows(schema_without_names=True)
    table = lancedb.connect(str(tmp_path / "index")).create_table(TABLE, data=old, schema=old.schema)
    store = ChunkStore(str(tmp_path / "index"))
    store._create_fts_index(table)
    question = "wat wordt er van je verwacht als vrijwilliger?"
    assert first_found(store, question) == "notulen/2013-07-16.md"  # searched as it is meanwhile

    # a re-index that finds nothing changed
    assert not store.replace_documents("c", named_rows()[:0], [], model=ModelInfo("fake", 4))

    names = store._open().to_lance().to_table(columns=[NAME_COLUMN])[NAME_COLUMN].to_pylist()
    assert sorted(names) == ["2013 07 16 notulen bestuursvergadering juli", "kosten wat kost de vereniging",
                             "vrijwilliger worden wat verwachten we"]
    assert first_found(store, question) == "vereniging/vrijwilliger-worden/index.md"
