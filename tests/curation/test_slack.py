"""Over the fake Slack (real sockets, real slack_bolt/slack_sdk): a declined question is stored as
declined, so it reaches the list of what the documents are missing; a question close to a curated
answer is answered with it, without the model."""

from __future__ import annotations

import pytest

from bot.curation.answers import CuratedAnswers
from bot.curation.store import CuratedStore
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.storage.database import Storage
from tests.curation.conftest import CURATED_QUESTION, CURATED_TEXT, OWNER
from tests.slack.conftest import CHANNEL, USER, bot_settings, running_bot
from tests.slack.conftest import scripted_generator, slack  # noqa: F401 - fixtures
from tests.slack.fakes import FixedRetriever, SAMPLE_CHUNKS, scripted_engine
from tests.slack.test_answer_flow import ask_in_channel, final_message
from bot.answering.types import Source


def test_a_declined_question_is_stored_as_declined(tmp_path, slack, scripted_generator):
    settings = bot_settings(tmp_path, slack)
    nothing_found = scripted_engine(scripted_generator, FixedRetriever([]))
    services = Services(settings, engine=nothing_found, generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services) as bot:
        event = ask_in_channel(bot, "Mag mijn hond mee naar kantoor?")
        final_message(bot, CHANNEL, event["ts"])
    [declined] = services.feedback.unanswered()
    assert declined.question == "Mag mijn hond mee naar kantoor?" and declined.abstained
    assert not scripted_generator.requests


@pytest.mark.slow
def test_a_curated_answer_is_posted_without_the_model(tmp_path, slack, scripted_generator, embedder):
    settings = bot_settings(tmp_path, slack)
    curated = CuratedAnswers(CuratedStore(Storage().database(settings.folders.curated_path)), embedder)
    curated.add(question=CURATED_QUESTION, answer=CURATED_TEXT, owner=OWNER, decided_by="Eva (HR)",
                sources=[Source("Vakantie en verlof", SAMPLE_CHUNKS[0].doc_id, collection="bedrijf")])
    engine = scripted_engine(scripted_generator)
    engine.curated = curated
    services = Services(settings, engine=engine, generator=scripted_generator, curated=curated,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services) as bot:
        event = ask_in_channel(bot, "Hoeveel vakantiedagen krijg ik?", user=USER)
        answer = final_message(bot, CHANNEL, event["ts"])
    assert "25 vakantiedagen" in answer["text"]  # streamed (h/stream): the text is the message's
    assert "Vakantie en verlof" in str(answer["blocks"])
    assert "vastgesteld door Eva (HR)" in str(answer["blocks"])  # the mark (bot/slack/ui/curated_mark.py)
    assert not scripted_generator.requests
    [stored] = list(services.feedback.rows(include_unvoted=True))
    assert stored["answer"] == CURATED_TEXT and not stored["abstained"]
