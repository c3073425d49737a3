"""A question in the other language than the documents finds its passage through the full text too:
its words, translated into the index's language, join the full-text query. Real LanceDB in
tmp_path, the real packaged multilingual e5, dictionaries in FreeDict's own format."""

from __future__ import annotations

import pytest

from knowledge.crosslingual import TranslatingQuery, translated_words
from knowledge.query import Vocabulary, text_query
from knowledge.retrieval import Retriever
from language.translation import load_dictionaries
from tests.knowledge.conftest import make_indexer, write_docs
from tests.language.test_translation import write_dictd

from bot.settings.folders import Folders

INSTALLED = Folders().dictionaries_dir  # where Debian's dict-freedict-* packages put them

DUTCH_DOCS = {
    "afspraken/presentatie.md": "# Afspraken over de modeldocumenten\n\n## Presentatie\n\nIn alle modeldocumenten "
                                "wordt vaste tekst in het rood getoond. Een verplichte keuzetekst is groen, een "
                                "facultatieve keuzetekst paars en een variabele zwart.\n",
    # English words in a Dutch text, as release notes have them: today the full text's only match.
    "releases/sjabloon-2025.md": "# Release notes sjabloon 2025\n\nDe marks in de kantlijn van het sjabloon zijn "
                                 "verwijderd en de kop is aangepast. Akten die met het oude sjabloon zijn gemaakt, "
                                 "blijven geldig.\n",
    "toelichting/erfpacht.md": "# Toelichting erfpachtcanon\n\nDe canon wordt als bedrag in de akte opgenomen, met de "
                               "betalingstermijnen. Bij afkoop vermeldt de akte de periode.\n",
    "toelichting/partijen.md": "# Toelichting partijen\n\nEen akte van levering toont ten minste twee partijen, elk "
                               "met een partijaanduiding.\n",
}
ENGLISH_DOCS = {
    "hr/sick-leave.md": "# Sick leave\n\nWhen you are ill, call your manager before nine in the morning and tell "
                        "the office how long you expect to be away.\n",
    "hr/holidays.md": "# Holidays\n\nYou get twenty-five days of holiday a year; ask your manager for them in the "
                      "portal.\n",
    "it/laptops.md": "# Laptops\n\nThe service desk hands out laptops on your first day and takes them back on your "
                     "last.\n",
}
QUESTION = "Which colour marks fixed text in the model documents?"
GOLD = "afspraken/presentatie.md"


@pytest.fixture
def dictionaries(tmp_path):
    folder = tmp_path / "dictd"
    write_dictd(folder, "freedict-eng-nld", {"colour": "colour\nkleur, verf\n", "text": "text\ntekst\n",
                                             "sick": "sick\nziek, misselijk\n"})
    write_dictd(folder, "freedict-nld-eng", {"vast": "vast\n1. certain\n2. fixed\n", "ziek": "ziek\nill, sick\n",
                                             "model": "model\nmodel\n", "document": "document\ndocument, paper\n",
                                             "bellen": "bellen\ncall, ring\n"})
    return load_dictionaries(folder)


def index_of(tmp_path, embedder, docs: dict[str, str]):
    indexer = make_indexer(tmp_path, embedder)
    indexer.reindex(write_docs(tmp_path / "docs", docs), collection="c")
    return indexer.store


def test_only_a_question_in_the_other_language_is_translated(dictionaries):
    dutch = Vocabulary(list(DUTCH_DOCS.values()))
    assert dutch.language == "nl" and Vocabulary(list(ENGLISH_DOCS.values())).language == "en"
    translate = TranslatingQuery(dictionaries)
    assert translate("welke kleur heeft vaste tekst in de modeldocumenten?", dutch) == \
        text_query("welke kleur heeft vaste tekst in de modeldocumenten?", dutch)
    assert TranslatingQuery({})(QUESTION, dutch) == text_query(QUESTION, dutch)
    assert translate(QUESTION, None) == text_query(QUESTION, None)


def test_the_translation_the_index_holds_is_added_and_the_words_it_holds_itself_are_kept(dictionaries):
    dutch = Vocabulary(list(DUTCH_DOCS.values()))
    query = TranslatingQuery(dictionaries)(QUESTION, dutch)
    assert query.terms == text_query(QUESTION, dutch).terms  # the asker's own words stay
    # "colour": "verf" is not in the index, "kleur" neither; "marks" is a word of the index itself;
    # "model documents" is one Dutch compound.
    assert query.translated.split() == ["vast", "tekst", "modeldocument"]


def test_of_several_senses_the_one_used_with_the_other_words_wins(dictionaries):
    english_dutch = dictionaries[("en", "nl")]
    vocabulary = Vocabulary(["De verf van het hek is groen.", "Je bent ziek: bel voor negen uur.",
                             "Wie ziek is, blijft thuis.", "Misselijk van de boot."])
    # "sick": "ziek" and "misselijk" are both in the index; "ziek" goes with "bel" (call).
    assert translated_words("sick call", english_dutch, vocabulary) == ["ziek"]


@pytest.mark.slow
def test_an_english_question_finds_its_dutch_passage_in_full_text_and_hybrid(tmp_path, e5_small_embedder,
                                                                             dictionaries):
    store = index_of(tmp_path, e5_small_embedder, DUTCH_DOCS)
    today = Retriever(e5_small_embedder, store)
    translating = Retriever(e5_small_embedder, store, query_terms=TranslatingQuery(dictionaries))

    assert [h.chunk.doc_id for h in today.search(QUESTION, k=3, mode="fts")] == ["releases/sjabloon-2025.md"]
    assert translating.search(QUESTION, k=3, mode="fts")[0].chunk.doc_id == GOLD
    assert translating.search(QUESTION, k=3, mode="hybrid")[0].chunk.doc_id == GOLD


@pytest.mark.slow
def test_a_dutch_question_finds_its_english_passage_in_full_text(tmp_path, e5_small_embedder, dictionaries):
    store = index_of(tmp_path, e5_small_embedder, ENGLISH_DOCS)
    question = "Wie moet ik bellen als ik ziek ben?"

    assert Retriever(e5_small_embedder, store).search(question, k=3, mode="fts") == []
    hits = Retriever(e5_small_embedder, store, query_terms=TranslatingQuery(dictionaries)).search(
        question, k=3, mode="fts")
    assert hits and hits[0].chunk.doc_id == "hr/sick-leave.md"


@pytest.mark.slow
@pytest.mark.skipif(not (INSTALLED / "freedict-eng-nld.index").is_file(),
                    reason="Debian's dict-freedict-eng-nld and dict-freedict-nld-eng are not installed "
                           "(tools/system-packages.sh --install)")
def test_with_the_installed_dictionaries_the_hybrid_search_finds_what_it_missed(tmp_path, e5_small_embedder):
    store = index_of(tmp_path, e5_small_embedder, DUTCH_DOCS)

    assert Retriever(e5_small_embedder, store).search(QUESTION, k=3, mode="hybrid")[0].chunk.doc_id != GOLD
    translating = Retriever(e5_small_embedder, store, query_terms=TranslatingQuery(load_dictionaries(INSTALLED)))
    assert translating.search(QUESTION, k=3, mode="hybrid")[0].chunk.doc_id == GOLD
