"""A question longer than the model's window is answered in plain words ("Je vraag is te lang …"),
without searching, without the model, and logged without its text; one that fits is answered."""

from __future__ import annotations

import logging

import pytest

from bot.answering.engine import TOO_LONG, AnswerEngine
from bot.answering.types import Turn
from knowledge.models import Hit
from tests.answering.builders import FoundHits, make_hit
from tests.generators import RecordingGenerator, ScriptedGenerator

SECRET = "geheimeprojectnaam"  # a word of the question that must not reach the log
REPLY = "Je hebt 25 vakantiedagen per jaar [1]."


class RecordingRetriever(FoundHits):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        self.queries.append(question)
        return [make_hit(f"Bij een volledige werkweek heb je recht op 25 vakantiedagen. {question[:200]}",
                         doc_id="hr/vakantie.md", title="Vakantie")]


def engine_for(generator, retriever: RecordingRetriever) -> AnswerEngine:
    return AnswerEngine(retriever, generator, min_relevance=0.0, cache_size=0, sentence_selection=False)


def long_question(characters: int, language: str = "nl") -> str:
    filler = "Ik wil graag weten hoeveel vakantiedagen ik heb, " if language == "nl" else \
        "I would like to know how many days off I get, "
    return (SECRET + " " + filler * (characters // len(filler) + 1))[:characters] + "?"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_question_longer_than_the_window_gets_a_plain_answer_without_search_or_model(language, caplog):
    caplog.set_level(logging.DEBUG)
    scripted, retriever = ScriptedGenerator(REPLY), RecordingRetriever()
    stream = engine_for(scripted, retriever).ask(long_question(40_000, language))
    streamed = "".join(stream)
    answer = stream.result()
    assert answer.text == streamed == TOO_LONG[language] and answer.language == language
    assert answer.sources == [] and not answer.abstained and not answer.quoted
    assert "token" not in answer.text.lower() and "venster" not in answer.text.lower()
    assert retriever.queries == [] and scripted.requests == [], "nothing searched, the model not asked"
    assert any("too long" in r.getMessage() for r in caplog.records)
    assert not any(SECRET in r.getMessage() or "vakantiedagen" in r.getMessage() for r in caplog.records)


def test_a_long_question_that_still_fits_is_answered():
    scripted, retriever = ScriptedGenerator(REPLY), RecordingRetriever()
    engine = engine_for(scripted, retriever)
    words = scripted.n_ctx - 400 - engine.context_budget_tokens - 2 * 40  # within the window, with room
    answer = engine.ask(" ".join(["vakantiedagen"] * words) + "?").result()
    assert answer.text == REPLY and len(scripted.requests) == 1


def test_earlier_turns_count_towards_the_window():
    scripted, retriever = ScriptedGenerator(REPLY), RecordingRetriever()
    engine = engine_for(scripted, retriever)
    question = " ".join(["vakantiedagen"] * (scripted.n_ctx - 600)) + "?"
    assert engine.ask(question).result().text == REPLY
    history = [Turn("user", "woord " * 300), Turn("assistant", "antwoord " * 300)] * 2
    assert engine.ask(question, history=history).result().text == TOO_LONG["nl"]


@pytest.mark.slow
def test_the_real_model_is_not_asked_a_question_it_cannot_hold(generator):
    recording, retriever = RecordingGenerator(generator), RecordingRetriever()
    answer = engine_for(recording, retriever).ask(long_question(40_000)).result()
    assert answer.text == TOO_LONG["nl"] and recording.requests == [] and retriever.queries == []
