"""Privacy on the answer path: no question or passage text in the logs at INFO, and the feedback the
bot stores from Slack carries pseudonyms, not Slack user ids (deploy/PRIVACY.md)."""

from __future__ import annotations

import logging
import sqlite3

from bot.services import Services
from tests.slack.conftest import CHANNEL, USER, bot_settings, running_bot
from tests.slack.fakes import FixedRetriever, chunk, scripted_engine
from tests.slack.test_answer_flow import ask_in_channel, feedback_click, final_message

QUESTION = "Mag mijn zwaardvis mee naar de kantoortuin op woensdag?"
PASSAGE = "Huisdieren in aquaria zijn welkom in de kantoortuin van Polderlicht."
REPLY = "Ja, huisdieren in aquaria zijn welkom in de kantoortuin [1]."
SECRET_WORDS = ("zwaardvis", "aquaria", "kantoortuin")


def passages() -> FixedRetriever:
    return FixedRetriever([chunk("facilitair/huisdieren.md", "Huisdieren", PASSAGE)])


def assert_no_text_in(caplog) -> None:
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for word in SECRET_WORDS:
        assert word not in logged, f"'{word}' (question or passage text) is in the logs at INFO"


def test_the_engine_logs_no_question_or_passage_text_at_info(caplog, scripted_generator):
    caplog.set_level(logging.INFO)
    engine = scripted_engine(scripted_generator, passages())
    scripted_generator.reply = lambda messages: REPLY

    answer = engine.ask(QUESTION).result()

    assert "kantoortuin" in answer.text and not answer.abstained
    assert_no_text_in(caplog)


def test_the_slack_path_logs_no_question_text_and_stores_pseudonyms(tmp_path, slack, scripted_generator, caplog):
    caplog.set_level(logging.INFO)
    scripted_generator.reply = lambda messages: REPLY
    settings = bot_settings(tmp_path, slack)
    services = Services(settings, engine=scripted_engine(scripted_generator, passages()),
                        generator=scripted_generator)  # the feedback store as `serve` builds it
    with running_bot(slack, services) as bot:
        event = ask_in_channel(bot, QUESTION)
        answer = final_message(bot, CHANNEL, event["ts"])
        response_url = slack.new_response_url()
        click = feedback_click(answer, which="positive", user=USER, response_url=response_url)
        slack.wait_for_ack(slack.push_interactive(click))
        slack.wait_for_response(response_url)

    assert any("answered" in r.getMessage() for r in caplog.records)  # the path did log at INFO
    assert_no_text_in(caplog)
    rows = list(services.feedback.rows())
    pseudonym = services.pseudonymizer.pseudonym(USER)
    assert [(r["question"], r["user"], r["asked_by"], r["vote"]) for r in rows] == \
        [(QUESTION, pseudonym, pseudonym, "up")]
    with sqlite3.connect(settings.folders.feedback_path) as db:
        stored_users = {u for (u,) in db.execute("SELECT user FROM answers UNION SELECT user FROM votes")}
    assert stored_users == {pseudonym} and USER not in str(stored_users)
