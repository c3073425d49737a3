"""An English question over Dutch documents: the sentences put before the model and quoted are chosen
with the question's words as the search translated them, so the sentence that answers is the one
shown, not merely the passage's first. Real LanceDB in tmp_path, the real packaged multilingual e5
for the search, dictionaries in FreeDict's own format; the engine's selection on word scores only
(no embedder), the generator scripted to write nothing usable so that the engine quotes."""

from __future__ import annotations

import pytest

from bot.answering.engine import QUOTED, AnswerEngine
from bot.answering.prompts import passage_block
from bot.answering.selection import SentenceSelector
from knowledge.chunking import Chunker
from knowledge.crosslingual import TranslatingQuery
from knowledge.index.store import ChunkStore
from knowledge.indexing import Indexer
from knowledge.query import Vocabulary
from knowledge.retrieval import Retriever
from language.translation import load_dictionaries
from tests.answering.builders import make_hit
from tests.generators import ScriptedGenerator
from tests.language.test_translation import write_dictd

QUESTION = "Which colour marks fixed text in the model documents?"
ANSWER = "Vaste tekst wordt in het rood getoond."
# The answer is the fourth sentence: before it, sentences about the documents without the question's words.
CONVENTIONS = ("De afspraken gelden voor elke notaris die een akte opstelt. Een wijziging wordt per release "
               "bekendgemaakt. De afspraken zijn in 2024 herzien door de werkgroep. " + ANSWER +
               " Een verplichte keuze is groen, een facultatieve keuze paars.")
DOCUMENTS = {
    "afspraken/presentatie.md": f"# Kleuren in de modeldocumenten\n\n{CONVENTIONS}\n",
    "toelichting/erfpacht.md": "# Toelichting erfpachtcanon\n\nDe canon wordt als bedrag in de akte opgenomen, met "
                               "de betalingstermijnen. Bij afkoop vermeldt de akte de periode.\n",
    "toelichting/partijen.md": "# Toelichting partijen\n\nEen akte van levering toont ten minste twee partijen, elk "
                               "met een partijaanduiding.\n",
}
ECHO = "Which colour marks fixed text in the model documents? [1]"  # says nothing: quoted instead


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture
def dictionaries(tmp_path):
    folder = tmp_path / "dictd"
    write_dictd(folder, "freedict-eng-nld", {"colour": "colour\nkleur, verf\n", "text": "text\ntekst\n"})
    write_dictd(folder, "freedict-nld-eng", {"vast": "vast\n1. certain\n2. fixed\n", "rood": "rood\nred\n"})
    return load_dictionaries(folder)


def test_the_translated_words_pick_the_sentence_that_answers():
    hit = make_hit(CONVENTIONS, doc_id="afspraken/presentatie.md", title="Afspraken", headings=())
    vocabulary = Vocabulary([CONVENTIONS, "Een akte van levering toont twee partijen."])
    block = lambda h, text: passage_block(1, h, text)  # noqa: E731
    budget = words(block(hit, ANSWER)) + 6  # room for the answer and little else
    untranslated = SentenceSelector().select(QUESTION, [hit], count_tokens=words, budget=budget, block=block,
                                             vocabulary=vocabulary)
    translated = SentenceSelector().select(QUESTION, [hit], count_tokens=words, budget=budget, block=block,
                                           vocabulary=vocabulary, translated=["vast", "tekst"])
    assert translated.preview is not None and ANSWER in translated.preview.text
    assert ANSWER in translated.excerpts[0].text
    assert untranslated.preview is not None and ANSWER not in untranslated.preview.text, \
        "without its translations no word of the question is in a Dutch sentence"


@pytest.mark.slow
def test_an_english_question_over_dutch_documents_quotes_the_sentence_the_translation_found(
        tmp_path, e5_small_embedder, dictionaries):
    folder = tmp_path / "documents"
    for path, text in DOCUMENTS.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    store = ChunkStore(str(tmp_path / "index"))
    Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens),
            lock_dir=tmp_path / "state").reindex(folder, collection="kadaster")
    retriever = Retriever(e5_small_embedder, store, query_terms=TranslatingQuery(dictionaries))
    found = retriever.retrieve(QUESTION, k=3)
    assert found.text_query is not None and {"vast", "tekst"} <= set(found.text_query.translated.split())
    assert retriever.retrieve("Welke kleur heeft vaste tekst?", k=3).text_query.translated == "", \
        "a Dutch question over Dutch documents is not translated"

    engine = AnswerEngine(retriever, ScriptedGenerator(ECHO), min_relevance=0.0, cache_size=0, top_k=3,
                          context_budget_tokens=40)
    answer = engine.ask(QUESTION).result()
    assert answer.quoted and answer.text.startswith(QUOTED["en"])
    assert ANSWER in answer.text
    assert answer.sources[0].path == "afspraken/presentatie.md"
