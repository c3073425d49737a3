"""Sentence selection (bot/answering/selection.py): only what answers the question reaches the model,
whole (numbers, list items, table rows), with what it needs to be read, citations still pointing at
the right document, and the best sentence as a preview. Word scores only (no model is loaded)."""

from __future__ import annotations

from bot.answering.engine import AnswerEngine
from bot.answering.prompts import pack_passages, passage_block
from bot.answering.selection import SentenceSelector
from knowledge.models import Hit
from tests.answering.builders import FoundHits, make_hit
from tests.generators import ScriptedGenerator

FILLER = ("Polderlicht is opgericht in Utrecht en werkt voor gemeenten en waterschappen. Het kantoor ligt "
          "vlak bij het station en heeft een grote kantine. Op vrijdag is er een borrel voor wie wil. De "
          "koffieautomaat op de tweede verdieping is het populairst. Nieuwe collega's krijgen een buddy. "
          "In de zomer organiseren we een teamuitje met een barbecue. Het parkeerterrein is beperkt, dus kom "
          "liefst met de fiets. ")
ANSWER = "Bij een volledige werkweek heb je recht op 25 vakantiedagen per jaar."


def words(text: str) -> int:
    return len(text.split())


def select(question: str, hits: list[Hit], budget: int = 200):
    return SentenceSelector().select(question, hits, count_tokens=words, budget=budget,
                                     block=lambda hit, text: passage_block(1, hit, text))


def test_a_passage_with_one_relevant_sentence_among_many_is_cut_to_it():
    hit = make_hit(FILLER + ANSWER + " " + FILLER)
    selection = select("Hoeveel vakantiedagen krijg ik per jaar?", [hit])
    assert [e.text for e in selection.excerpts] == [ANSWER]
    assert selection.preview is not None and selection.preview.text == ANSWER and selection.preview.hit is hit


def test_list_items_and_table_rows_are_kept_whole_with_their_lead_in_and_header():
    text = ("Over de kantine valt weinig te zeggen. Voor je reiskosten krijg je de volgende vergoedingen:\n\n"
            "- 0,23 euro per kilometer voor woon-werkverkeer met de eigen auto, tot 60 km enkele reis;\n"
            "- 100% van je OV-abonnement voor woon-werkverkeer;\n\n"
            "De fietsenstalling is in de kelder.\n\n"
            "| Vervoer | Vergoeding per km |\n|---|---|\n| Auto | 0,23 euro |\n| Fiets | 0,10 euro |\n")
    selection = select("welke vergoedingen zijn er voor reiskosten per kilometer?", [make_hit(text)])
    kept = selection.excerpts[0].text
    assert "Voor je reiskosten krijg je de volgende vergoedingen:" in kept
    assert "- 0,23 euro per kilometer voor woon-werkverkeer met de eigen auto, tot 60 km enkele reis;" in kept
    assert "- 100% van je OV-abonnement voor woon-werkverkeer;" in kept
    assert "| Vervoer | Vergoeding per km |" in kept and "| Auto | 0,23 euro |" in kept
    assert "kantine" not in kept and "fietsenstalling" not in kept and "|---|" not in kept


def test_a_sentence_that_leans_on_the_one_before_brings_it_along():
    text = FILLER + "Het OV-abonnement wordt volledig vergoed. Dit geldt ook voor parttimers met een contract."
    kept = select("geldt dat ook voor parttimers?", [make_hit(text)]).excerpts[0].text
    assert kept == "Het OV-abonnement wordt volledig vergoed. Dit geldt ook voor parttimers met een contract."


def test_boilerplate_and_repeats_are_dropped_and_one_sections_chunks_become_one_passage():
    first = make_hit("Beta\n\n![Logo](./img/logo.png)\nLees de [regeling thuiswerken](./thuiswerken.md) of de "
                     "[site](https://intranet.example.nl/thuiswerken) over de **thuiswerkvergoeding** van 2 euro "
                     "per dag.\n\nDe vergoeding wordt maandelijks met je salaris betaald.",
                     doc_id="hr/thuiswerken.md", title="Thuiswerken", headings=("Thuiswerken", "Vergoeding"))
    second = make_hit("De vergoeding wordt maandelijks met je salaris betaald.\n\nThuiswerken\n\n"
                      "De thuiswerkvergoeding geldt niet voor dagen waarop je reiskosten declareert.",
                      doc_id="hr/thuiswerken.md", title="Thuiswerken", headings=("Thuiswerken", "Vergoeding"),
                      ordinal=1, rank=2)
    selection = select("hoe hoog is de thuiswerkvergoeding?", [first, second], budget=400)
    assert len(selection.excerpts) == 1 and selection.excerpts[0].hit is first
    kept = selection.excerpts[0].text
    assert "Beta" not in kept and "![" not in kept and "logo" not in kept and "**" not in kept
    assert "Lees de regeling thuiswerken of de site (https://intranet.example.nl/thuiswerken)" in kept
    assert "2 euro per dag" in kept and kept.count("maandelijks") <= 1
    assert "Thuiswerken" not in kept.replace("thuiswerken", ""), "the heading repeated in the text is dropped"


def test_the_same_question_and_hits_give_the_same_selection():
    hits = [make_hit(FILLER + ANSWER, doc_id=f"hr/{n}.md", rank=n + 1, relevance=0.8 - n / 10) for n in range(3)]
    results = [select("Hoeveel vakantiedagen krijg ik per jaar?", hits) for _ in range(3)]
    assert all(r == results[0] for r in results)


def test_the_excerpts_fit_the_budget_and_the_best_hit_comes_first():
    hits = [make_hit(FILLER + ANSWER + " " + FILLER, doc_id=f"hr/{n}.md", title=f"Document {n}", headings=(),
                     rank=n + 1) for n in range(4)]
    selection = select("Hoeveel vakantiedagen krijg ik per jaar?", hits, budget=40)
    passages = pack_passages([e.hit for e in selection.excerpts], words, 40, texts=[e.text for e in selection.excerpts])
    assert sum(p.tokens for p in passages) <= 40
    assert passages[0].hit is hits[0] and ANSWER in passages[0].text


class ThreeDocuments(FoundHits):
    """Three hits: the second is about something else, the third answers too."""

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid", collections=None) -> list[Hit]:
        return [make_hit(f"{FILLER}{ANSWER}", doc_id="hr/vakantie.md", title="Vakantie"),
                make_hit(FILLER, doc_id="algemeen/kantoor.md", title="Kantoor", rank=2, relevance=0.75),
                make_hit(f"{FILLER}Werk je parttime, dan krijg je je vakantiedagen per jaar naar rato.",
                         doc_id="hr/parttime.md", title="Parttime", rank=3, relevance=0.7)]


def test_citations_still_point_at_the_right_document_after_a_passage_is_left_out():
    scripted = ScriptedGenerator("Je krijgt 25 dagen [1], naar rato als je parttime werkt [2].")
    engine = AnswerEngine(ThreeDocuments(), scripted, min_relevance=0.0, cache_size=0)
    prepared = engine.prepare("Hoeveel vakantiedagen krijg ik per jaar?")
    assert [p.hit.chunk.doc_id for p in prepared.passages] == ["hr/vakantie.md", "hr/parttime.md"]
    assert "Kantoor" not in prepared.messages[1]["content"] and "kantine" not in prepared.messages[1]["content"]
    assert prepared.messages[1]["content"].count("[2] Parttime") == 1

    stream = engine.ask("Hoeveel vakantiedagen krijg ik per jaar?")
    assert stream.preview is not None and stream.preview.text == ANSWER
    assert stream.preview.source.path == "hr/vakantie.md"
    answer = stream.result()
    assert answer.text == "Je krijgt 25 dagen [1], naar rato als je parttime werkt [2]."
    assert [s.path for s in answer.sources] == ["hr/vakantie.md", "hr/parttime.md"]


def test_a_refusal_has_no_preview():
    scripted = ScriptedGenerator("niet gebruikt")
    engine = AnswerEngine(ThreeDocuments(), scripted, cache_size=0)  # the calibrated thresholds
    stream = engine.ask("Wie won het WK voetbal in 2010?")
    assert stream.abstained and stream.preview is None and not scripted.requests


def test_without_selection_whole_passages_are_packed_as_before():
    engine = AnswerEngine(ThreeDocuments(), ScriptedGenerator(), min_relevance=0.0, sentence_selection=False,
                          context_budget_tokens=1000)
    prepared = engine.prepare("Hoeveel vakantiedagen krijg ik per jaar?")
    assert len(prepared.passages) == 3 and prepared.preview is None
    assert "(algemeen/kantoor.md)" in prepared.messages[1]["content"]
