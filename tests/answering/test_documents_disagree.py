"""Two versions of one regulation give two dates for one deadline: the answer says so in one line and
names both, each with its document and day; sources carry the document's day ("versie 2.0, 1 juni
2024"). Through the real AnswerEngine on a real LanceDB index (tmp_path) with the real packaged
multilingual-e5-small; the model the scripted generator (a cited answer, or nothing usable: the
quote) and the real SmolLM2 (its text never asserted). An index from before documents had a day
still answers, and gets the day of a document when it is next read."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import lancedb
import pytest

from bot.answering.disagreement import DISAGREE
from bot.answering.engine import AnswerEngine
from knowledge.chunking import Chunker
from knowledge.index.schema import TABLE, ModelInfo, chunk_rows, chunk_schema
from knowledge.index.store import ChunkStore
from knowledge.indexing import Indexer
from knowledge.loaders import load_document
from knowledge.retrieval import Retriever
from tests.generators import RecordingGenerator, ScriptedGenerator

QUESTION = "Voor welke datum moet ik de aanvraag voor de thuiswerkvergoeding indienen?"
OLD = ("---\ntitle: Thuiswerkregeling\ndate: 2023-01-15\n---\n\n# Thuiswerkregeling\n\n## Aanvragen\n\n"
       "Je moet de aanvraag voor de thuiswerkvergoeding indienen voor 1 maart; die datum is de uiterste "
       "termijn. Je dient de aanvraag in via het personeelsportaal.\n")
NEW = OLD.replace("2023-01-15", "2024-06-01").replace("1 maart", "15 april")
OTHERS = {
    "Parkeren.md": "# Parkeren\n\nJe parkeert op P3 aan de Kanaalweg. Een parkeerkaart vraag je aan bij de receptie.\n",
    "Verlof.md": "# Verlof\n\nJe krijgt 25 vakantiedagen per jaar. Verlof vraag je aan in het personeelsportaal.\n",
}
LONG_AGO = datetime(2019, 11, 20, tzinfo=timezone.utc).timestamp()


def write_folder(root: Path, new: str = NEW) -> Path:
    folder = root / "docs"
    (folder / "regelingen").mkdir(parents=True)
    (folder / "regelingen" / "Thuiswerkregeling v1.0.md").write_text(OLD, encoding="utf-8")
    (folder / "regelingen" / "Thuiswerkregeling v2.0.md").write_text(new, encoding="utf-8")
    for name, text in OTHERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for path in folder.rglob("*.md"):
        os.utime(path, (LONG_AGO, LONG_AGO))
    return folder


def index(root: Path, folder: Path, embedder) -> ChunkStore:
    store = ChunkStore(str(root / "index"))
    Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=root / "state").reindex(folder, collection="c")
    return store


def engine(store: ChunkStore, embedder, generator) -> AnswerEngine:
    return AnswerEngine(Retriever(embedder, store), generator, embedder=embedder, min_relevance=0.0, cache_size=0)


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def assert_names_both(line: str) -> None:
    assert line.startswith(DISAGREE["nl"].split(":")[0] + ":"), line
    assert "Thuiswerkregeling v2.0" in line and "Thuiswerkregeling v1.0" in line
    assert "15 april" in line and "1 maart" in line
    assert "1 juni 2024" in line and "15 januari 2023" in line
    assert line.index("v2.0") < line.index("v1.0"), "the newer first"


@pytest.fixture(scope="module")
def disagreeing(tmp_path_factory, e5_small_embedder) -> ChunkStore:
    root = tmp_path_factory.mktemp("disagree")
    return index(root, write_folder(root), e5_small_embedder)


@pytest.mark.slow
def test_a_cited_answer_says_the_versions_disagree_and_names_both_with_their_days(disagreeing, e5_small_embedder):
    reply = "Je moet de aanvraag voor de thuiswerkvergoeding indienen via het personeelsportaal [1] [2]."
    answer = engine(disagreeing, e5_small_embedder, ScriptedGenerator(reply)).ask(QUESTION).result()
    assert not answer.abstained and not answer.quoted
    assert {s.path for s in answer.sources} >= {"regelingen/Thuiswerkregeling v1.0.md",
                                                "regelingen/Thuiswerkregeling v2.0.md"}
    assert_names_both(last_line(answer.text))
    editions = {s.path: s.edition("nl") for s in answer.sources}
    assert editions["regelingen/Thuiswerkregeling v2.0.md"] == "versie 2.0, 1 juni 2024"


@pytest.mark.slow
def test_the_quote_says_it_too_and_the_stream_shows_it(disagreeing, e5_small_embedder):
    stream = engine(disagreeing, e5_small_embedder, ScriptedGenerator("")).ask(QUESTION)
    shown = "".join(stream)
    answer = stream.result()
    assert answer.quoted
    assert_names_both(last_line(answer.text))
    assert last_line(answer.text) in shown


@pytest.mark.slow
def test_an_english_question_gets_the_line_in_english(disagreeing, e5_small_embedder):
    reply = "You submit the application for the thuiswerkvergoeding through the personeelsportaal [1] [2]."
    answer = engine(disagreeing, e5_small_embedder, ScriptedGenerator(reply)).ask(
        "By which date must I submit the application for the thuiswerkvergoeding?").result()
    line = last_line(answer.text)
    assert line.startswith("Note: the documents do not agree")
    assert "1 June 2024" in line and "15 January 2023" in line


@pytest.mark.slow
def test_versions_that_agree_get_no_line(tmp_path, e5_small_embedder):
    agreeing = OLD.replace("2023-01-15", "2024-06-01").replace(  # the same day, its year written out
        "Je moet de aanvraag voor de thuiswerkvergoeding indienen voor 1 maart",
        "De aanvraag voor de thuiswerkvergoeding moet je indienen voor 1 maart 2025")
    store = index(tmp_path, write_folder(tmp_path, new=agreeing), e5_small_embedder)
    reply = "Je moet de aanvraag voor de thuiswerkvergoeding indienen voor 1 maart [1] [2]."
    answer = engine(store, e5_small_embedder, ScriptedGenerator(reply)).ask(QUESTION).result()
    assert len({s.path for s in answer.sources}) >= 2
    assert "Let op" not in answer.text and "\n" not in answer.text.strip()


@pytest.mark.slow
def test_the_real_small_model_answers_and_the_prompt_names_the_versions_with_their_days(
        disagreeing, e5_small_embedder, generator):
    recording = RecordingGenerator(generator)
    answer = engine(disagreeing, e5_small_embedder, recording).ask(QUESTION).result()
    assert not answer.abstained
    prompt = recording.requests[-1].messages[-1]["content"]
    assert "(v2.0, 1 juni 2024)" in prompt and "(v1.0, 15 januari 2023)" in prompt
    cited = {s.path for s in answer.sources}
    if {"regelingen/Thuiswerkregeling v1.0.md", "regelingen/Thuiswerkregeling v2.0.md"} <= cited:
        assert_names_both(last_line(answer.text))
    assert all(s.dated for s in answer.sources)


def old_layout_index(root: Path, folder: Path, embedder) -> ChunkStore:
    """The index as the code before document days wrote it: the same layout, without their columns."""
    model = ModelInfo(embedder.name, embedder.dimension)
    chunker = Chunker(embedder.count_tokens)
    chunks = [c for path in sorted(folder.rglob("*.md"))
              for c in chunker.split(load_document(path, folder, collection="c"))]
    rows = chunk_rows(chunks, embedder.embed_documents([c.embedding_text for c in chunks]), model)
    rows = rows.drop_columns(["dated", "dated_by"])
    schema = chunk_schema(model)
    old = schema.remove(schema.get_field_index("dated_by")).remove(schema.get_field_index("dated"))
    table = lancedb.connect(str(root / "index")).create_table(TABLE, data=rows.cast(old), schema=old)
    store = ChunkStore(str(root / "index"))
    store._create_fts_index(table)
    return store


@pytest.mark.slow
def test_an_index_without_days_still_answers_and_gets_them_when_a_document_is_read_again(
        tmp_path, e5_small_embedder):
    folder = write_folder(tmp_path)
    store = old_layout_index(tmp_path, folder, e5_small_embedder)
    assert "dated" not in lancedb.connect(str(tmp_path / "index")).open_table(TABLE).schema.names
    reply = "Je moet de aanvraag voor de thuiswerkvergoeding indienen via het personeelsportaal [1] [2]."
    answer = engine(store, e5_small_embedder, ScriptedGenerator(reply)).ask(QUESTION).result()
    assert not answer.abstained and answer.sources
    assert all(s.dated == "" and s.edition("nl") in ("versie 1.0", "versie 2.0", "") for s in answer.sources)
    line = last_line(answer.text)
    if line.startswith("Let op"):  # the versions still disagree; without days they are named without one
        assert "Thuiswerkregeling v2.0" in line and "2024" not in line

    (folder / "Verlof.md").write_text(OTHERS["Verlof.md"] + "\nOuderschapsverlof vraag je aan bij HR.\n",
                                      encoding="utf-8")
    os.utime(folder / "Verlof.md", (LONG_AGO, LONG_AGO))
    Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens),
            lock_dir=tmp_path / "state").reindex(folder, collection="c")
    rows = lancedb.connect(str(tmp_path / "index")).open_table(TABLE).to_arrow().to_pylist()
    days = {row["doc_id"]: (row["dated"], row["dated_by"]) for row in rows}
    assert days["Verlof.md"] == ("2019-11-20", "modified"), "read again: its day kept"
    assert days["Parkeren.md"] == ("", ""), "not read again: no day yet, and no rebuild for it"
