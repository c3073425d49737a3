"""Slack's agent sessions around an answer in the agent messaging view, over the fake Slack (real Bolt,
real sockets, the real AnswerEngine on a scripted model; the titled session processing then active is
tests/slack/test_channel_sessions.py's, for the Messages tab and channel threads alike): the stop
button stops the generation, closes the stream with what was written and "Gestopt op je verzoek.",
frees the queue place and moves the session on; the older assistant view keeps its "denkt na…"
status and gets no session."""

from __future__ import annotations

import io
import random

import pytest
import yaml

from bot.slack.answer_flow.sessions import session_title
from tests.slack.conftest import DM, USER
from tests.slack.test_answer_flow import final_message
from tests.slack.test_manifest import MANIFEST

BOB, BOB_DM = "U0BOB", "D0BOB"
WORDS = ["verlof", "aanvragen", "leidinggevende", "rooster", "vakantie", "werkweek", "salaris", "regeling",
         "feestdag", "uren", "contract", "afspraak", "team", "kantoor", "thuiswerken", "reiskosten"]


def long_reply(words: int = 400) -> str:
    """A long answer without repeats the loop guard would stop, that says what its passage says first
    (an answer that does not is held back and replaced by a quote of the passage)."""
    rng = random.Random(7)
    return "Iedereen heeft 25 vakantiedagen [1]. " + " ".join(f"{rng.choice(WORDS)}{i}" for i in range(words)) + "."


@pytest.fixture
def agent_bot(slack, scripted_bot_with):
    slack.workspace.install(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))  # agent view, subscribed
    slack.workspace.add_user(BOB, "bob")
    return scripted_bot_with()


def ask(bot, text: str, *, user: str = USER, channel: str = DM) -> dict:
    event = bot.slack.user_posts(text, user=user, channel=channel)
    bot.slack.wait_for_ack(bot.slack.push_event(event))
    return event


def stop_streams(slack) -> list:
    return slack.calls_to("chat.stopStream")


def test_the_stop_button_stops_the_generation_and_closes_the_stream_with_a_note(agent_bot, scripted_generator):
    slack = agent_bot.slack
    scripted_generator.reply, scripted_generator.piece_delay_s = (lambda messages: long_reply()), 0.05
    question = ask(agent_bot, "Hoe vraag ik verlof aan?")
    slack.wait_until(lambda: slack.calls_to("chat.appendStream", lambda c: "markdown_text" in str(c.params)),
                     20, "some of the answer streamed")
    generation = scripted_generator.generations[-1]
    slack.click_stop(DM, question["ts"], user=USER)
    closed = slack.wait_for_call("chat.stopStream", timeout=5)
    assert generation.cancelled and generation.done(), "the model stopped, long before its 20 s of text"
    message = slack.workspace.find_message(DM, closed.params["ts"])
    text = message["text"]
    written, _, note = text.rpartition("\n\n")
    assert note == "_Gestopt op je verzoek._"
    assert written.strip() and long_reply().startswith(written.strip()), "what was written stays"
    assert len(written) < len(long_reply()) / 2
    assert not message.get("blocks"), "no feedback buttons: a stopped answer is not stored"
    agent_bot.parts.replier.wait_until_idle(10)
    session = slack.workspace.session(DM, question["ts"])
    assert session.history() == ["processing", "active"] and not slack.workspace.left_processing_after_stop()
    assert stored_answers(agent_bot) == 0


def stored_answers(bot) -> int:
    return bot.services.feedback.export_jsonl(io.StringIO(), include_unvoted=True)


def test_a_stopped_question_waiting_in_line_gives_up_its_place_in_english_when_asked_so(agent_bot,
                                                                                       scripted_generator):
    slack = agent_bot.slack
    scripted_generator.reply, scripted_generator.piece_delay_s = (lambda messages: long_reply(120)), 0.02
    first = ask(agent_bot, "Hoe vraag ik verlof aan?")
    scripted_generator.wait_for_requests(1)
    waiting = ask(agent_bot, "How do I request leave?", user=BOB, channel=BOB_DM)
    scripted_generator.wait_for_requests(2)
    queued = scripted_generator.generations[-1]
    assert queued.position() == 1
    slack.click_stop(BOB_DM, waiting["ts"], user=BOB)
    slack.wait_until(lambda: queued.done() or None, 5, "the waiting request out of the line")
    assert not scripted_generator.generations[0].done(), "the first answer goes on"
    notes = slack.wait_until(lambda: [m for m in slack.workspace.thread(BOB_DM, waiting["ts"])
                                      if "Stopped at your request." in m.get("text", "")], 10, "the note")
    assert len(notes) == 1
    slack.wait_until(lambda: slack.workspace.session(BOB_DM, waiting["ts"]).status == "active", 10, "active")
    final_message(agent_bot, DM, first["ts"], timeout=30)
    agent_bot.parts.replier.wait_until_idle(10)
    assert slack.workspace.session(DM, first["ts"]).history() == ["processing", "active"]


def test_a_click_with_nothing_running_still_moves_the_session_on(agent_bot):
    slack = agent_bot.slack
    question = ask(agent_bot, "Hoe meld ik me ziek?")
    final_message(agent_bot, DM, question["ts"])
    agent_bot.parts.replier.wait_until_idle(10)
    slack.workspace.m_agents_sessions_setStatus({"channel_id": DM, "thread_ts": question["ts"],
                                                 "status": "processing"})  # Slack still shows it working
    slack.click_stop(DM, question["ts"], user=USER)
    slack.wait_until(lambda: slack.workspace.session(DM, question["ts"]).status == "active", 10, "active")


def test_the_assistant_view_keeps_its_status_and_gets_no_session(slack, scripted_bot_with):
    bot = scripted_bot_with(settings={"slack_messaging": "assistant"})
    slack.workspace.messaging = "assistant"
    question = ask(bot, "Hoe vraag ik verlof aan?")
    final_message(bot, DM, question["ts"])
    bot.parts.replier.wait_until_idle(10)
    assert [c.params["status"] for c in slack.calls_to("assistant.threads.setStatus")] == ["denkt na…", ""]
    assert not slack.calls_to("agents.sessions.setStatus")


def test_a_session_title_is_the_question_cut_after_a_whole_word():
    assert session_title("  Hoe   vraag ik\nverlof aan? ") == "Hoe vraag ik verlof aan?"
    title = session_title("Welke regels gelden er voor thuiswerken en reiskosten wanneer ik twee dagen per week")
    assert title == "Welke regels gelden er voor thuiswerken en reiskosten…"
    assert session_title("x" * 100) == "x" * 60 + "…"
