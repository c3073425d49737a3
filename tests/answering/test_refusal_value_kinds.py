"""On a real index (LanceDB in tmp_path, the packaged multilingual E5): a question for a number of
years, or for a version, about the right subject is declined when no passage holds such a value
(only years; a version without its number), and answered when a passage does."""

from __future__ import annotations


import pytest

from bot.answering.engine import AnswerEngine
from knowledge.chunking import Chunker
from knowledge.indexing import Indexer
from knowledge.index.store import ChunkStore
from knowledge.retrieval import Retriever
from tests.generators import ScriptedGenerator

pytestmark = pytest.mark.slow

DATED = """# Erfpachtcanon afkopen

Sinds het jaar 2021 kan de erfpachtcanon in een akte tijdelijk worden afgekocht. De regeling is in
het jaar 2024 herzien; de akte vermeldt bij het afkopen van de erfpachtcanon de datum van de afkoop en het bedrag.
"""
COUNTED = """# Erfpachtcanon afkopen

De erfpachtcanon kan in een akte tijdelijk worden afgekocht voor ten hoogste vijftig jaar; de akte
vermeldt bij het afkopen van de erfpachtcanon de datum van de afkoop en het bedrag.
"""
QUESTION = "voor hoeveel jaar mag je de erfpachtcanon tijdelijk afkopen in een akte?"
HAVEN = """# Haven

Haven is een standaard voor platformonafhankelijke cloudhosting. Om Haven compliant te zijn is
minimaal nodig dat een cluster een ondersteunde versie van Kubernetes draait, de controles van de
Haven Compliancy Checker doorstaat en beheerd wordt volgens de richtlijnen.
"""
HAVEN_VERSION = HAVEN.replace("een ondersteunde versie van Kubernetes", "Kubernetes 1.28 of nieuwer")
VERSION_QUESTION = "welke kubernetes versie is minimaal nodig om haven compliant te zijn?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_small_embedder) -> AnswerEngine:
    root = tmp_path_factory.mktemp("refusal-years")
    store = ChunkStore(str(root / "index"))
    indexer = Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens), lock_dir=root / "state")
    for collection, name, text in (("jaartallen", "erfpacht.md", DATED), ("aantal", "erfpacht.md", COUNTED),
                                   ("zonder-versie", "haven.md", HAVEN), ("met-versie", "haven.md", HAVEN_VERSION)):
        folder = root / collection
        folder.mkdir()
        (folder / name).write_text(text, encoding="utf-8")
        indexer.reindex(folder, collection=collection)
    return AnswerEngine(Retriever(e5_small_embedder, store), ScriptedGenerator(), embedder=e5_small_embedder,
                        top_k=6)


def test_passages_with_only_years_do_not_answer_how_many_years(engine):
    verdict = engine.prepare(QUESTION, collections=["jaartallen"]).verdict
    # Everything else says "answer": the passage is close and the index knows every word.
    assert verdict.relevance >= engine.policy.threshold("nl") and verdict.support >= engine.policy.min_support
    assert verdict.value_missing and not verdict.answerable


def test_a_passage_that_counts_the_years_answers_it(engine):
    verdict = engine.prepare(QUESTION, collections=["aantal"]).verdict
    assert not verdict.value_missing and verdict.answerable


def test_a_version_asked_for_is_declined_where_no_passage_names_one(engine):
    verdict = engine.prepare(VERSION_QUESTION, collections=["zonder-versie"]).verdict
    assert verdict.relevance >= engine.policy.threshold("nl") and verdict.support >= engine.policy.min_support
    assert verdict.value_missing and not verdict.answerable
    found = engine.prepare(VERSION_QUESTION, collections=["met-versie"]).verdict
    assert not found.value_missing and found.answerable
