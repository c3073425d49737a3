"""The answer cites the document it used. An office table's one answering row reaches the prompt
(and a quote) on its own, instead of the whole table as one "sentence" too long for the passages'
budget; an answer that cites no passage lists the documents whose words it used, not simply the
first two found. The table through a real Word file, a real LanceDB index and the real packaged
multilingual-e5-small; the sources through the real AnswerEngine with the scripted generator."""

from __future__ import annotations

import docx
import pytest

from bot.answering.citations import sources_used
from bot.answering.engine import AnswerEngine
from bot.answering.prompts import passage_block
from bot.answering.segments import sections_of
from bot.answering.selection import SentenceSelector
from knowledge.chunking import Chunker
from knowledge.formats.tables import table_to_text
from knowledge.index.store import ChunkStore
from knowledge.indexing import Indexer
from knowledge.retrieval import Retriever
from tests.answering.builders import FoundHits, make_hit
from tests.generators import ScriptedGenerator

# The answering row (Paars) comes late: cut to the passages' budget, the table as one piece would not reach it.
COLOURS = [("Rood", "Rood", "#FF0000"), ("Groen", "Zeegroen", "#008200"), ("Zwart", "Zwart", "#000000"),
           ("Blauw", "Hemelsblauw", "#3165FF"), ("Lichtblauw", "Turkoois", "#00FFFF"),
           ("Bruin", "Bruin", "#9C3000"), ("Grijs", "Grijs 40%", "#9C9A9C"), ("Oranje", "Oranje", "#FF9C00"),
           ("Geel", "Geel", "#FFFF00"), ("Roze", "Roze", "#FF00FF"), ("Donkerrood", "Donkerrood", "#840000"),
           ("Donkerblauw", "Donkerblauw", "#000084"), ("Olijf", "Olijfgroen", "#848400"),
           ("Turkoois", "Blauwgroen", "#008484"), ("Paars", "Violet", "#840084"), ("Zilver", "Grijs 25%", "#C6C3C6")]
HEADER = ("Benaming afspraak", "Kleur in het modeldocument", "Standaard Word kleur", "RGB code")


def colour_rows() -> list[tuple[str, ...]]:
    return [HEADER, *((name, f"tekst in {name.lower()}", word, code) for name, word, code in COLOURS)]


def test_each_row_of_an_office_table_is_a_segment_that_brings_its_header():
    hit = make_hit("De kleuren van de afspraken:\n" + table_to_text(colour_rows()), doc_id="afspraken.docx")
    segments = sections_of([hit])[0].segments
    rows = [s for s in segments if s.kind == "row"]
    assert len(rows) == len(COLOURS) + 1, [s.text[:40] for s in segments]
    purple = next(s for s in rows if "#840084" in s.text)
    assert "#FF0000" not in purple.text, "one row, not the table"
    assert [segments[n].text for n in purple.needs] == [" | ".join(HEADER)]


@pytest.fixture(scope="module")
def colour_agreements(tmp_path_factory, e5_small_embedder) -> Retriever:
    """A Word file whose answer is one row of a long colour table, in a real index."""
    folder = tmp_path_factory.mktemp("documents")
    document = docx.Document()
    document.add_heading("Algemene afspraken modeldocumenten", level=1)
    document.add_paragraph("In de modeldocumenten heeft elke kleur van de tekst een eigen betekenis. De "
                           "kleuren staan in de tabel hieronder, met hun standaardkleur in Word.")
    table = document.add_table(rows=0, cols=len(HEADER))
    for row in colour_rows():
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    document.save(str(folder / "afspraken.docx"))
    root = tmp_path_factory.mktemp("index")
    store = ChunkStore(str(root / "index"))
    Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens),
            lock_dir=root / "state").reindex(folder, collection="kadaster")
    return Retriever(e5_small_embedder, store)


@pytest.mark.slow
def test_the_answering_row_of_a_long_word_table_reaches_the_prompt_without_the_rest(colour_agreements,
                                                                                    e5_small_embedder):
    question = "Welke RGB code heeft de kleur paars in Word?"
    engine = AnswerEngine(colour_agreements, ScriptedGenerator("[1]"), embedder=e5_small_embedder,
                          min_relevance=0.0, cache_size=0, top_k=6)
    prepared = engine.prepare(question)
    prompt = "\n".join(p.text for p in prepared.passages)
    assert "#840084" in prompt
    assert not all(code in prompt for _, _, code in COLOURS), "the rows that answer, not the whole table"
    assert prepared.preview is not None and "#840084" in prepared.preview.text
    answer = engine.ask(question).result()  # "[1]" alone says nothing: the best row is quoted
    assert answer.quoted and "#840084" in answer.text
    assert [s.path for s in answer.sources] == ["afspraken.docx"]


def test_the_words_of_an_answer_name_the_passages_it_used():
    passages = ["[1] Overdragen > NEN NPR 5325\nDe Nederlandse praktijkrichtlijn 5325 geeft een checklist.",
                "[2] Agile werken\nJe past risicobeheersing toe volgens NEN NPR 5326.",
                "[3] Agile werken\nNEN NPR 5326 gaat over maatwerksoftware."]
    def used(answer: str, sources: list[str]) -> list[str]:
        return sources_used(answer, list(zip(passages, sources)), document=lambda s: s[0])

    # the first document found, and each that adds a word the others lack, in the passages' order
    assert used("Volgens NPR 5326 pas je risicobeheersing toe.", ["a", "b1", "b2"]) == ["a", "b1"]
    assert used("Volgens NPR 5326 pas je risicobeheersing toe.", ["a", "a", "c"]) == ["a"]
    assert used("De checklist van 5325 en de risicobeheersing.", ["a", "b", "c"]) == ["a", "b"]
    assert used("NPR 5326 gaat over maatwerksoftware.", ["a", "b", "c"]) == ["a", "c"], "c holds most"
    assert used("Use the practice guideline.", ["a", "b", "c"]) == ["a", "b", "c"], "no word in common"


class ThreeDocuments(FoundHits):
    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list:
        found = [("hergebruik/overdragen.md", "De NEN richtlijn NPR 5325 geeft een checklist voor het overdragen "
                                              "van software, niet voor risicobeheersing."),
                 ("data/beslisboom.md", "De beslisboom helpt bij het kiezen van open standaarden."),
                 ("agile/index.md", "Voor risicobeheersing geldt de NEN richtlijn NPR 5326, voor maatwerksoftware.")]
        return [make_hit(text, doc_id=doc, title=doc, headings=(), relevance=0.9 - n / 100, rank=n + 1)
                for n, (doc, text) in enumerate(found)]


@pytest.mark.parametrize(("reply", "cited"), [
    ("NPR 5325 geeft een checklist voor het overdragen van software.", ["hergebruik/overdragen.md"]),
    ("Voor risicobeheersing geldt NPR 5326.", ["hergebruik/overdragen.md", "agile/index.md"]),
])
def test_an_answer_without_markers_lists_the_documents_whose_words_it_used(reply, cited):
    """The first document found, and those whose words the answer used; not simply the first two."""
    engine = AnswerEngine(ThreeDocuments(), ScriptedGenerator(reply), min_relevance=0.0, cache_size=0, guard=False)
    answer = engine.ask("Welke NEN richtlijn geldt voor risicobeheersing?").result()
    assert not answer.abstained and not answer.quoted, answer.text
    assert [s.path for s in answer.sources] == cited


class DutchColourDocuments(FoundHits):
    """Two Dutch documents: a bank's explanation that points to the agreements, and the agreements'
    colour table that answers."""

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list:
        found = [("toelichting-sns.docx", "Voor de beschrijving van het kleurgebruik in het modeldocument zie het "
                                          "document met de algemene afspraken over modeldocumenten."),
                 ("algemene-afspraken.docx", "Benaming afspraak: Vaste tekst; Kleur in het modeldocument: zwart; "
                                             "Standaard Word kleur: Automatisch.")]
        return [make_hit(text, doc_id=doc, title=doc, headings=(), relevance=0.9 - n / 100, rank=n + 1)
                for n, (doc, text) in enumerate(found)]


def test_an_answer_in_another_language_than_its_passages_lists_the_first_documents_found():
    """A word the English answer shares with the Dutch passages ("document") is chance, not a sign
    of the passage it used: the first documents found are listed, as for an answer sharing no word."""
    reply = "Fixed text is shown in black in the document."
    engine = AnswerEngine(DutchColourDocuments(), ScriptedGenerator(reply), min_relevance=0.0, cache_size=0,
                          guard=False, sentence_selection=False)  # both passages whole in the prompt
    answer = engine.ask("What colour is fixed text shown in within the model documents?").result()
    assert not answer.abstained and not answer.quoted, answer.text
    assert [s.path for s in answer.sources] == ["toelichting-sns.docx", "algemene-afspraken.docx"]
    # The same when a small model answers a Dutch question in English: the answer's language counts.
    answer = engine.ask("Welke kleur heeft vaste tekst in de modeldocumenten?").result()
    assert not answer.abstained and not answer.quoted, answer.text
    assert [s.path for s in answer.sources] == ["toelichting-sns.docx", "algemene-afspraken.docx"]


def test_a_link_with_a_space_before_its_target_shows_its_text_only():
    row = "Modeldocument ING|[5.0]( /modeldocumenten/Hypotheek%20ING/Modeldocument%20ING%20v5.0.docx)| X |"
    segments = sections_of([make_hit(row, doc_id="Releasenotes ING.md")])[0].segments
    assert [s.text for s in segments] == ["Modeldocument ING|5.0| X |"]


def test_a_table_row_longer_than_the_budget_is_still_shown():
    long_row = "Tekstblok: Verklaring; Toelichting: " + " ".join(["dat op de zaak geen voorkeursrecht rust"] * 30)
    hit = make_hit(table_to_text([("Tekstblok", "Toelichting"), ("Verklaring", long_row.split(": ", 2)[2])]),
                   doc_id="toelichting.docx")
    selection = SentenceSelector().select("Welk voorkeursrecht staat in de verklaring?", [hit],
                                          count_tokens=lambda text: len(text.split()), budget=60,
                                          block=lambda h, text: passage_block(1, h, text))
    assert selection.excerpts and "voorkeursrecht" in selection.excerpts[0].text
