"""When the documents found are close, the reader sees more than the first: the best sentence of the
second document reaches the prompt even when the first document's sentences score higher and fill the
budget, and an answer the model could not write quotes the best sentences of both documents; never of
more than two. Selection with word scores only; the quote through the real AnswerEngine, a real
LanceDB index of three small documents and the real packaged multilingual-e5-small, with the scripted
generator writing nothing usable."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answering.engine import QUOTED, AnswerEngine
from bot.answering.prompts import passage_block
from bot.answering.selection import SentenceSelector
from knowledge.chunking import Chunker
from knowledge.index.store import ChunkStore
from knowledge.indexing import Indexer
from knowledge.retrieval import Retriever
from knowledge.models import Hit
from tests.answering.builders import FoundHits, make_hit
from tests.generators import ScriptedGenerator

QUESTION = "Welke hoedanigheden kan de gevolmachtigde in de hypotheekakte hebben?"
# The deed model: every sentence holds the question's words, none says which capacities there are.
DEED = ("In de hypotheekakte staat de gevolmachtigde met zijn hoedanigheid vermeld. "
        "De hoedanigheid van de gevolmachtigde volgt in de hypotheekakte na zijn naam. "
        "Bij meer gevolmachtigden in de hypotheekakte geldt voor allen dezelfde hoedanigheid. "
        "Een gevolmachtigde zonder hoedanigheid wordt in de hypotheekakte niet vermeld.")
# The text block itself: the capacities, in fewer of the question's words.
CAPACITIES = ("Het tekstblok kent drie hoedanigheden: als mondeling of schriftelijk gevolmachtigde, als "
              "curator in een faillissement, of als bewindvoerder over het vermogen.")


def words(text: str) -> int:
    return len(text.split())


def test_the_second_documents_best_sentence_reaches_the_prompt_when_the_firsts_fill_the_budget():
    first = make_hit(DEED, doc_id="modellen/hypotheek.md", title="Modeldocument hypotheek",
                     headings=("Gevolmachtigde",))
    second = make_hit(CAPACITIES, doc_id="tekstblokken/gevolmachtigde.md", title="Tekstblok",
                      headings=("Hoedanigheid",), rank=2, relevance=0.78)
    budget = words(passage_block(1, first, DEED)) + 10  # room for the first document's sentences only
    selection = SentenceSelector().select(QUESTION, [first, second], count_tokens=words, budget=budget,
                                          block=lambda hit, text: passage_block(1, hit, text))
    assert [e.hit.chunk.doc_id for e in selection.excerpts] == ["modellen/hypotheek.md",
                                                               "tekstblokken/gevolmachtigde.md"]
    assert "curator in een faillissement" in selection.excerpts[1].text
    assert selection.preview is not None and selection.preview.hit is first, "the preview stays the first's"
    assert [o.hit for o in selection.others] == [second]


def test_one_document_found_keeps_filling_the_budget_with_its_own_sentences():
    hit = make_hit(DEED, doc_id="modellen/hypotheek.md", title="Modeldocument hypotheek", headings=("Gevolmachtigde",))
    selection = SentenceSelector().select(QUESTION, [hit], count_tokens=words, budget=400,
                                          block=lambda h, text: passage_block(1, h, text))
    assert len(selection.excerpts) == 1 and selection.others == []
    assert all(sentence in selection.excerpts[0].text for sentence in DEED.split(". ")[:3])


@pytest.fixture(scope="module")
def close_documents(tmp_path_factory, e5_small_embedder) -> Retriever:
    """Three documents about the representative in a real index: the deed model, the text block
    that answers, and a third one about the same text block."""
    folder = tmp_path_factory.mktemp("documents")
    (folder / "modellen").mkdir()
    (folder / "tekstblokken").mkdir()
    (folder / "modellen" / "hypotheek.md").write_text(f"# Modeldocument hypotheek\n\n## Gevolmachtigde\n\n{DEED}\n")
    (folder / "tekstblokken" / "gevolmachtigde.md").write_text(
        f"# Tekstblok gevolmachtigde\n\n## Hoedanigheid\n\nIn de hypotheekakte heeft de gevolmachtigde een van de "
        f"hoedanigheden van het tekstblok. {CAPACITIES}\n")
    (folder / "tekstblokken" / "releasenotes.md").write_text(
        "# Releasenotes tekstblok gevolmachtigde\n\nIn versie 3.0 van het tekstblok gevolmachtigde is de "
        "hoedanigheid van de gevolmachtigde als bewindvoerder toegevoegd.\n")
    root = tmp_path_factory.mktemp("index")
    store = ChunkStore(str(root / "index"))
    Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens),
            lock_dir=root / "state").reindex(folder, collection="kadaster")
    return Retriever(e5_small_embedder, store)


ECHO = "In welke hoedanigheden kan een gevolmachtigde optreden? [1]"  # says nothing: quoted instead


@pytest.mark.slow
def test_an_answer_the_model_could_not_write_quotes_the_best_of_two_close_documents(close_documents,
                                                                                   e5_small_embedder):
    engine = AnswerEngine(close_documents, ScriptedGenerator(ECHO), embedder=e5_small_embedder, min_relevance=0.0,
                          cache_size=0, top_k=6)
    prepared = engine.prepare(QUESTION)
    assert len({p.hit.chunk.doc_id for p in prepared.passages}) >= 2, "the documents found are close"
    answer = engine.ask(QUESTION).result()
    assert answer.quoted and answer.text.startswith(QUOTED["nl"])
    cited = [s.path for s in answer.sources]
    assert len(set(cited)) == 2, cited
    assert cited[0] == prepared.passages[0].hit.chunk.doc_id, "the best document is quoted first"
    assert "tekstblokken/gevolmachtigde.md" in cited
    assert "curator in een faillissement" in answer.text


class ThreeDocuments(FoundHits):
    """Three documents about the representative, found with the given scores (best first)."""

    def __init__(self, *scores: float) -> None:
        self.scores = scores

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        texts = [("modellen/hypotheek.md", DEED), ("tekstblokken/gevolmachtigde.md", CAPACITIES),
                 ("tekstblokken/releasenotes.md", "In versie 3.0 is de hoedanigheid bewindvoerder van de "
                                                  "gevolmachtigde in de hypotheekakte toegevoegd.")]
        return [make_hit(text, doc_id=doc, title=doc, headings=(), relevance=score, rank=n + 1)
                for n, ((doc, text), score) in enumerate(zip(texts, self.scores))]


def quoted_documents(*scores: float) -> list[str]:
    engine = AnswerEngine(ThreeDocuments(*scores), ScriptedGenerator(ECHO), min_relevance=0.0, cache_size=0)
    answer = engine.ask(QUESTION).result()
    assert answer.quoted
    return [s.path for s in answer.sources]


def test_three_close_documents_are_quoted_two_at_most():
    assert quoted_documents(0.90, 0.89, 0.88) == ["modellen/hypotheek.md", "tekstblokken/gevolmachtigde.md"]


def test_a_document_found_far_less_well_is_not_quoted_beside_the_first():
    assert quoted_documents(0.90, 0.30, 0.20) == ["modellen/hypotheek.md"]


class HalvesDisagree(FoundHits):
    """The deed model first by the fused score (its words), the text block second with a lower fused
    score but a passage closer to the question in the embedding (`closeness`, the first's: 0.85)."""

    def __init__(self, closeness: float) -> None:
        self.closeness = closeness

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        first = make_hit(DEED, doc_id="modellen/hypotheek.md", title="Modeldocument hypotheek", headings=(),
                         relevance=0.85)
        second = make_hit(CAPACITIES, doc_id="tekstblokken/gevolmachtigde.md", title="Tekstblok", headings=(),
                          relevance=self.closeness, rank=2)
        return [replace(first, score=0.15), replace(second, score=0.09)]  # 0.6 of the first's: not "nearly as well"


def quoted_when_halves_disagree(closeness: float) -> list[str]:
    engine = AnswerEngine(HalvesDisagree(closeness), ScriptedGenerator(ECHO), min_relevance=0.0, cache_size=0)
    answer = engine.ask(QUESTION).result()
    assert answer.quoted
    return [s.path for s in answer.sources]


def test_a_document_the_embedding_finds_closer_is_quoted_beside_the_first_whatever_the_fused_score():
    assert quoted_when_halves_disagree(0.86) == ["modellen/hypotheek.md", "tekstblokken/gevolmachtigde.md"]
    assert quoted_when_halves_disagree(0.85) == ["modellen/hypotheek.md", "tekstblokken/gevolmachtigde.md"]


def test_a_document_neither_half_found_nearly_as_well_is_not_quoted():
    assert quoted_when_halves_disagree(0.80) == ["modellen/hypotheek.md"]
