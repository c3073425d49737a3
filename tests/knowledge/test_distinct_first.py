"""Among the best hits, a passage that only repeats a better-placed one of another document, or a
template's clause that many of the found files share, gives its place to a passage that says
something else; nothing is dropped. With the real packaged embedder and a real LanceDB for the search."""

from __future__ import annotations

import pytest

from knowledge.models import Chunk, Hit
from knowledge.retrieval import Retriever
from knowledge.versions import SHARED_BY, distinct_first
from tests.knowledge.conftest import make_indexer, write_docs


def hit(doc_id: str, text: str, rank: int, copies: tuple[str, ...] = ()) -> Hit:
    chunk = Chunk(id=f"c:{doc_id}#{rank}", doc_id=doc_id, collection="c", title=doc_id, headings=(), text=text,
                  ordinal=rank, content_hash=f"{doc_id}{rank}", copies=copies)
    return Hit(chunk=chunk, score=1.0 / rank, rank=rank)


PAGE = "Het bestuur wordt gekozen door de algemene ledenvergadering voor een termijn van twee jaar."
RETOLD = ("Op de ledenvergadering van vorig jaar is het bestuur gekozen voor een termijn van twee jaar, "
          "zoals de algemene ledenvergadering dat altijd doet.")
OTHER = "De contributie wordt jaarlijks in januari geïnd en bedraagt vijftig euro per lid."


def test_a_passage_retelling_a_better_placed_one_of_another_document_goes_after_the_others():
    hits = [hit("vereniging/alv.md", PAGE, 1), hit("blog/2012/alv.md", RETOLD, 2), hit("lid/contributie.md", OTHER, 3)]
    ordered = distinct_first(hits)
    assert [(h.chunk.doc_id, h.rank) for h in ordered] == [
        ("vereniging/alv.md", 1), ("lid/contributie.md", 2), ("blog/2012/alv.md", 3)]


def test_similar_passages_of_one_document_and_different_passages_keep_their_places():
    hits = [hit("vereniging/alv.md", PAGE, 1), hit("vereniging/alv.md", RETOLD, 2), hit("lid/contributie.md", OTHER, 3)]
    assert distinct_first(hits) == hits


def test_two_versions_of_one_document_that_say_it_differently_both_keep_their_places():
    hits = [hit("hr/Inleverregeling v1.1.md", "De declaratie lever je in vóór 15 april, met de bonnen erbij.", 1),
            hit("hr/Inleverregeling v1.0.md", "De declaratie lever je in vóór 1 maart, met de bonnen erbij.", 2),
            hit("lid/contributie.md", OTHER, 3)]
    assert distinct_first(hits) == hits


def template(programme: str) -> str:
    return (f"Opleiding {programme}: wat moet een student halen om cum laude te slagen? Een student slaagt "
            "cum laude als hij voor alle examens een 8 of hoger haalt.")


@pytest.mark.parametrize("files, moved", [(SHARED_BY, True), (SHARED_BY - 1, False)])
def test_a_clause_that_many_found_files_share_goes_after_the_others(files, moved):
    programmes = [f"oer/opleiding-{n}.pdf" for n in range(files)]
    hits = [hit(path, template(path[-5]), n + 1) for n, path in enumerate(programmes)]
    hits.append(hit("instelling/examenreglement.pdf", OTHER, len(hits) + 1))
    ordered = distinct_first(hits)
    assert len(ordered) == 2
    [clause] = [h for h in ordered if h.chunk.doc_id != "instelling/examenreglement.pdf"]
    assert {clause.chunk.doc_id, *clause.chunk.copies} == set(programmes)
    assert (ordered[0].chunk.doc_id == "instelling/examenreglement.pdf") is moved
    assert [h.rank for h in ordered] == [1, 2]


@pytest.mark.slow
def test_the_one_regulation_is_found_before_the_programmes_that_repeat_its_template(tmp_path, embedder):
    programmes = ("Kapper", "Kok", "Monteur", "Verpleegkundige", "Timmerman", "Software developer", "Danser")
    docs = {f"oer/{name}.md": f"# Examenregeling {name}\n\n{template(name)}\n" for name in programmes}
    docs["instelling/examenreglement.md"] = (
        "# Examenreglement van de instelling\n\nArtikel 5.5 Vermelding op het diploma. De aantekening cum laude "
        "wordt toegekend bij een gemiddelde van minstens acht over de beroepsgerichte onderdelen, zonder "
        "herkansing en zonder onvoldoende.\n")
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(write_docs(tmp_path / "docs", docs), collection="oer")
    retriever = Retriever(embedder, indexer.store)

    hits = retriever.search("wat moet een student halen om cum laude te slagen?", k=3)

    assert hits[0].chunk.doc_id == "instelling/examenreglement.md"
    template_hits = [h for h in hits if h.chunk.doc_id.startswith("oer/")]
    assert template_hits and len({template_hits[0].chunk.doc_id, *template_hits[0].chunk.copies}) >= SHARED_BY
