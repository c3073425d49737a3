"""A passage that several files share word for word takes one place among the hits, naming every
file it is in; the places it frees go to other documents. With the real packaged embedder and a real
LanceDB."""

from __future__ import annotations

import pytest

from knowledge.models import Chunk, Hit
from knowledge.retrieval import Retriever
from knowledge.versions import one_passage_once
from tests.knowledge.conftest import make_indexer, write_docs

# A clause every bank's model repeats, and a passage of each model that only it has.
CLAUSE = ("## Erfpachtcanon\n\nDe erfpachtcanon wordt in de akte eenmaal vermeld, ook als er meer registergoederen "
          "met erfpacht zijn; de kop ERFPACHTCANON staat dan één keer boven alle registergoederen.\n")
BANKS = ("Aegon", "Rabobank", "Triodos", "Munt")
OWN = ("De geldgever is {bank}; het model geldt voor hypotheken van {bank}. De rente staat in de offerte van "
       "{bank} en wordt per maand achteraf betaald. Aflossen mag zonder boete tot tien procent per jaar. "
       "De schuldenaar verklaart dat hij de algemene voorwaarden van {bank} heeft ontvangen en gelezen. "
       "Het kantoor van {bank} bewaart een afschrift van de akte bij het dossier van de lening. ")


def hit(doc_id: str, text: str, rank: int, copies: tuple[str, ...] = ()) -> Hit:
    chunk = Chunk(id=f"c:{doc_id}#0", doc_id=doc_id, collection="c", title=doc_id, headings=(), text=text,
                  ordinal=0, content_hash=doc_id, copies=copies)
    return Hit(chunk=chunk, score=1.0 / rank, rank=rank)


def test_the_same_text_in_several_files_is_one_hit_that_names_them_all():
    hits = [hit("bank/Aegon.docx", "De  kop staat\néén keer.", 1, copies=("archief/Aegon.docx",)),
            hit("hr/verlof.md", "Verlof vraag je aan.", 2),
            hit("bank/Munt.docx", "de kop staat één keer.", 3)]
    merged = one_passage_once(hits)
    assert [(h.chunk.doc_id, h.chunk.copies, h.rank) for h in merged] == [
        ("bank/Aegon.docx", ("archief/Aegon.docx", "bank/Munt.docx"), 1), ("hr/verlof.md", (), 2)]
    assert merged[0].score == hits[0].score


def test_of_versions_with_the_same_passage_the_newest_leads_in_the_best_place():
    hits = [hit("t/Tekstblok - Aanhef v2.12.docx", "Heden verschenen voor mij.", 1),
            hit("t/Tekstblok - Aanhef v2.13.docx", "Heden verschenen voor mij.", 2)]
    [merged] = one_passage_once(hits)
    assert (merged.chunk.doc_id, merged.chunk.copies, merged.score) == (
        "t/Tekstblok - Aanhef v2.13.docx", ("t/Tekstblok - Aanhef v2.12.docx",), hits[0].score)


def test_different_texts_and_other_collections_stay_apart():
    other = hit("bank/Munt.docx", "De kop staat één keer.", 2)
    hits = [hit("bank/Aegon.docx", "De kop staat één keer.", 1),
            Hit(chunk=Chunk(**{**other.chunk.__dict__, "collection": "elders"}), score=0.5, rank=2),
            hit("bank/Rabobank.docx", "De erfpachtcanon is afgekocht tot 2050.", 3)]
    assert one_passage_once(hits) == hits


def test_a_clause_repeated_with_each_bank_s_name_is_one_passage_led_by_the_best_placed():
    clause = ("De schuldenaar verleent aan {bank} een recht van hypotheek op het registergoed tot zekerheid van "
              "al hetgeen de geldgever te vorderen heeft uit hoofde van de leningsovereenkomst.")
    hits = [hit("modellen/Modeldocument NN v2.0.docx", clause.format(bank="Nationale-Nederlanden"), 1),
            hit("tekstblokken/Tekstblok - Partijnamen v2.0.docx", "Partijnamen in hypotheekakten.", 2),
            hit("modellen/Modeldocument AEGON v9.0.docx", clause.format(bank="AEGON"), 3)]
    merged = one_passage_once(hits)
    assert [(h.chunk.doc_id, h.chunk.copies) for h in merged] == [
        ("modellen/Modeldocument NN v2.0.docx", ("modellen/Modeldocument AEGON v9.0.docx",)),
        ("tekstblokken/Tekstblok - Partijnamen v2.0.docx", ())]


@pytest.mark.slow
def test_a_clause_in_every_model_leaves_room_for_the_other_documents(tmp_path, embedder):
    docs = {f"modellen/Modeldocument {bank} v1.0.md":
            f"# Modeldocument {bank}\n\n{OWN.format(bank=bank) * 2}\n\n{CLAUSE}" for bank in BANKS}
    docs["tekstblokken/Tekstblok - Erfpachtcanon v2.0.md"] = (
        "# Tekstblok Erfpachtcanon\n\nHet tekstblok erfpachtcanon kent de varianten jaarlijkse canon, "
        "afgekochte canon en eeuwigdurende erfpacht; vermeld de canon per registergoed in de akte.\n")
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(write_docs(tmp_path / "docs", docs), collection="kik")
    retriever = Retriever(embedder, indexer.store)

    hits = retriever.search("komt de kop ERFPACHTCANON meer keer in de akte bij meer registergoederen met erfpacht?",
                            k=3)
    clause = [h for h in hits if "ERFPACHTCANON staat dan één keer" in h.chunk.text]
    assert len(clause) == 1
    assert {clause[0].chunk.doc_id, *clause[0].chunk.copies} == {
        f"modellen/Modeldocument {bank} v1.0.md" for bank in BANKS}
    assert "tekstblokken/Tekstblok - Erfpachtcanon v2.0.md" in {h.chunk.doc_id for h in hits}
    assert [h.rank for h in hits] == [1, 2, 3]


def test_two_versions_that_say_it_differently_stay_two_passages():
    hits = [hit("hr/Verlofregeling v1.1.md", "Bij een volledige werkweek heb je 27 vakantiedagen per jaar.", 1),
            hit("hr/Verlofregeling v1.0.md", "Bij een volledige werkweek heb je 25 vakantiedagen per jaar.", 2)]
    assert one_passage_once(hits) == hits


def test_a_deck_as_pptx_and_as_pdf_is_one_passage():
    hits = [hit("decks/Kwartaalplan.pptx", "Kwartaalplan: de nieuwe balie opent op 1 maart in de hal.", 1),
            hit("decks/Kwartaalplan.pdf", "Kwartaalplan de nieuwe balie opent op 1 maart in de hal 3", 2)]
    [merged] = one_passage_once(hits)
    assert (merged.chunk.doc_id, merged.chunk.copies) == ("decks/Kwartaalplan.pptx", ("decks/Kwartaalplan.pdf",))


def test_one_version_in_two_folders_that_says_it_differently_stays_two_passages():
    hits = [hit("Lloyds/20250301000021/Modeldocument Lloyds v2.0.docx", "De rente is 4,1 procent per jaar.", 1),
            hit("Lloyds/20211015000021/Modeldocument Lloyds v2.0.docx", "De rente is 3,2 procent per jaar.", 2)]
    assert one_passage_once(hits) == hits
