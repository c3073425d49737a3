"""The stop button of a channel thread's agent session stops a real SmolLM2 generation mid-way: real Bolt
and slack_sdk over sockets to the fake Slack, the AnswerEngine with the packaged GGUF model, the
packaged embedding model and LanceDB. The first answer is made long by a grammar (the same sentence
many times, so its length does not depend on which llama.cpp kernels this CPU runs); the click comes
once its first words are in the stream. How fast the model stops is bench/stop_latency.py's to time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.storage.database import Storage
from knowledge.retrieval import Retriever
from tests.fakes.slack import FakeSlack
from tests.generators import LongAnswers
from tests.slack.conftest import CHANNEL, USER, RunningBot, bot_settings, running_bot
from tests.slack.test_answer_flow import ask_in_channel, final_message
from tests.slack.test_channel_sessions import BOB, streamed_text

pytestmark = pytest.mark.slow

LIMIT = 2000  # max_tokens of the long answer: the grammar ends it first when nobody stops it


@pytest.fixture
def real_bot(tmp_path: Path, slack: FakeSlack, generator, embedder, sample_index) -> Iterator[RunningBot]:
    settings = bot_settings(tmp_path, slack)
    model = LongAnswers(generator, max_tokens=LIMIT)  # 60 sentences, ~1,300 tokens: the first answer only
    # No guard and no relevance floor: the model writes on whatever it writes; short answers after the first.
    engine = AnswerEngine(Retriever(embedder, sample_index), model, embedder=embedder, min_relevance=0.0,
                          context_budget_tokens=300, max_tokens=16, cache_size=0, guard=False)
    services = Services(settings, engine=engine, generator=model, embedder=embedder, store=sample_index,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services) as bot:
            yield bot
    finally:
        for generation in model.generations:  # the shared model is free for the next test
            generation.cancel()


def test_the_stop_button_in_a_channel_thread_stops_a_real_generation_mid_way(real_bot):
    slack, model = real_bot.slack, real_bot.services.generator
    question = ask_in_channel(real_bot, "Hoeveel vakantiedagen heb ik per jaar?")
    assert "Bij een" in streamed_text(slack, question["ts"])  # the model is writing: the grammar's sentence
    long = model.generations[0]
    assert not long.done()
    slack.click_stop(CHANNEL, question["ts"], user=USER)

    closed = slack.wait_for_call("chat.stopStream", lambda c: "Gestopt" in str(c.params.get("chunks")),
                                 timeout=30)
    assert long.cancelled
    long.text()  # done: the worker left it at its next token
    assert 0 < long.stats.completion_tokens < LIMIT, long.stats
    message = slack.workspace.find_message(CHANNEL, closed.params["ts"])
    written, _, note = message["text"].rpartition("\n\n")
    assert note == "_Gestopt op je verzoek._"
    assert "Bij een volledige" in written and written.count("vakantiedagen per jaar") < model.rounds, \
        "what was written stays, and it is less than the grammar's whole answer"
    assert not message.get("blocks"), "a stopped answer has no feedback buttons"
    slack.wait_until(lambda: slack.workspace.session(CHANNEL, question["ts"]).status == "active", 30, "active")
    assert slack.workspace.session(CHANNEL, question["ts"]).history() == ["processing", "active"]
    assert not slack.workspace.left_processing_after_stop()

    # The model is free again: the next question, someone else's, is answered in full.
    following = ask_in_channel(real_bot, "Hoe meld ik me ziek?", user=BOB)
    answer = final_message(real_bot, CHANNEL, following["ts"], timeout=120)
    assert answer["text"].strip() and not model.generations[-1].cancelled
    real_bot.parts.replier.wait_until_idle(30)
    assert slack.workspace.session(CHANNEL, following["ts"]).history() == ["processing", "active"]
