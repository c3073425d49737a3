"""Agent sessions in channel threads, over the fake Slack (real Bolt, real sockets, the real AnswerEngine
on a scripted model): an @mention or a follow-up makes its thread's session processing, with a title
from the question, and active when answered; the stop button cancels the generation, closes the
stream with what was written and "Gestopt op je verzoek." and frees the model for the next question.
An app on the older assistant view keeps the ⏳ reaction in channels."""

from __future__ import annotations

import pytest

from tests.slack.conftest import CHANNEL, DM, USER
from tests.slack.test_agent_sessions import long_reply, stored_answers
from tests.slack.test_answer_flow import ask_in_channel, final_message

BOB = "U0BOB"
NEXT = "Hoe meld ik me ziek?"


def sessions_calls(slack, status: str | None = None) -> list:
    return slack.calls_to("agents.sessions.setStatus", lambda c: status is None or c.params["status"] == status)


def streamed_text(slack, thread_ts: str):
    """Until some of the answer's text is in the thread's stream (the model is writing)."""
    def written() -> str | None:
        for message in slack.workspace.streamed_messages(CHANNEL):
            if message.get("thread_ts") == thread_ts and message["text"].strip():
                return message["text"]
        return None
    return slack.wait_until(written, 20, "the first words of the answer in the stream")


@pytest.mark.parametrize("where", [CHANNEL, DM])  # a channel mention, and the Messages tab alike
def test_a_question_runs_in_a_titled_session_of_its_thread_instead_of_a_reaction(scripted_bot, where):
    slack = scripted_bot.slack
    question = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik per jaar als ik vier dagen per week werk?",
                              channel=where)
    final_message(scripted_bot, where, question["ts"])
    scripted_bot.parts.replier.wait_until_idle(10)
    session = slack.workspace.session(where, question["ts"])
    assert session is not None and session.history() == ["processing", "active"]
    assert session.title == "Hoeveel vakantiedagen heb ik per jaar als ik vier dagen per…"
    assert session.initiator == USER
    first = sessions_calls(slack)[0]
    assert first.ok and "warning" not in first.response, "subscribed to agent_session_stopped: a stop button"
    assert first.at < slack.calls_to("chat.startStream")[0].at, "processing before the answer shows"
    assert not slack.calls_to("reactions.add") and not slack.calls_to("assistant.threads.setStatus")


def test_a_follow_up_mention_in_the_thread_reopens_the_session_of_its_root(scripted_bot):
    slack = scripted_bot.slack
    first = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    final_message(scripted_bot, CHANNEL, first["ts"])
    scripted_bot.parts.replier.wait_until_idle(10)
    follow_up = ask_in_channel(scripted_bot, "En voor parttimers?", thread_ts=first["ts"], user=BOB)
    slack.wait_for_call("chat.stopStream", count=2)
    scripted_bot.parts.replier.wait_until_idle(10)
    assert all(c.ok and c.params["thread_ts"] == first["ts"] for c in sessions_calls(slack))
    session = slack.workspace.session(CHANNEL, first["ts"])
    assert session.history() == ["processing", "active", "processing", "active"]
    assert session.title == "Hoeveel vakantiedagen heb ik?" and session.initiator == USER, "set once, at creation"
    assert slack.workspace.session(CHANNEL, follow_up["ts"]) is None


def test_the_stop_button_stops_the_answer_and_the_next_question_is_answered(scripted_bot, scripted_generator):
    slack = scripted_bot.slack
    # The stopped answer is long (20 s of text); the next one, which must run to its end, is short.
    scripted_generator.reply = lambda messages: long_reply(40) if NEXT in messages[-1]["content"] else long_reply()
    scripted_generator.piece_delay_s = 0.05
    question = ask_in_channel(scripted_bot, "Hoe vraag ik verlof aan?")
    streamed_text(slack, question["ts"])
    generation = scripted_generator.generations[-1]
    waiting = ask_in_channel(scripted_bot, NEXT, user=BOB)
    scripted_generator.wait_for_requests(2)
    event = slack.click_stop(CHANNEL, question["ts"], user=USER)
    assert event["channel"] == CHANNEL and event["thread_ts"] == question["ts"] and event["streaming_message_ts"]

    closed = slack.wait_for_call("chat.stopStream", lambda c: c.params["ts"] in event["streaming_message_ts"],
                                 timeout=10)
    assert generation.cancelled and generation.done(), "the model stopped, long before its 20 s of text"
    message = slack.workspace.find_message(CHANNEL, closed.params["ts"])
    written, _, note = message["text"].rpartition("\n\n")
    assert note == "_Gestopt op je verzoek._"
    assert written.strip() and long_reply().startswith(written.strip()), "what was written stays"
    assert not message.get("blocks"), "no feedback buttons: a stopped answer is not stored"
    slack.wait_until(lambda: slack.workspace.session(CHANNEL, question["ts"]).status == "active", 10, "active")
    assert slack.workspace.session(CHANNEL, question["ts"]).history() == ["processing", "active"]
    assert not slack.workspace.left_processing_after_stop()

    final_message(scripted_bot, CHANNEL, waiting["ts"], timeout=60)  # the model went on with the next one
    scripted_bot.parts.replier.wait_until_idle(10)
    assert not scripted_generator.generations[1].cancelled
    assert slack.workspace.session(CHANNEL, waiting["ts"]).history() == ["processing", "active"]
    assert stored_answers(scripted_bot) == 1, "only the answer that was not stopped"


def test_two_answers_in_one_thread_keep_its_session_processing_until_both_are_written(scripted_bot,
                                                                                     scripted_generator):
    slack = scripted_bot.slack
    scripted_generator.reply, scripted_generator.piece_delay_s = (lambda messages: long_reply(60)), 0.02
    first = ask_in_channel(scripted_bot, "Hoe vraag ik verlof aan?")
    scripted_generator.wait_for_requests(1)
    ask_in_channel(scripted_bot, "En hoe meld ik me ziek?", thread_ts=first["ts"], user=BOB)
    scripted_generator.wait_for_requests(2)
    slack.wait_for_call("chat.stopStream", count=2, timeout=60)
    scripted_bot.parts.replier.wait_until_idle(10)
    assert slack.workspace.session(CHANNEL, first["ts"]).history() == ["processing", "processing", "active"]


def test_a_session_slack_refuses_leaves_the_reaction(scripted_bot):
    slack = scripted_bot.slack
    slack.fail("agents.sessions.setStatus", status=200, error="not_allowed_token_type", retry_after=None)
    question = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    final_message(scripted_bot, CHANNEL, question["ts"])
    slack.wait_for_call("reactions.remove")
    assert slack.calls_to("reactions.add")[0].params["timestamp"] == question["ts"]
    assert len(sessions_calls(slack)) == 1, "no session to move on"


@pytest.mark.parametrize("follow_up", [False, True])
def test_an_app_on_the_assistant_view_keeps_the_reaction_in_channels(slack, scripted_bot_with, follow_up):
    bot = scripted_bot_with(settings={"slack_messaging": "assistant"})
    slack.workspace.messaging = "assistant"
    question = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?")
    final_message(bot, CHANNEL, question["ts"])
    if follow_up:
        ask_in_channel(bot, "En voor parttimers?", thread_ts=question["ts"])
        slack.wait_for_call("chat.stopStream", count=2)
    slack.wait_for_call("reactions.remove", count=2 if follow_up else 1)
    assert not sessions_calls(slack) and not slack.calls_to("assistant.threads.setStatus")


def test_a_stop_whose_event_never_comes_here_still_stops_the_answer_at_its_next_words(scripted_bot,
                                                                                     scripted_generator):
    """Slack stops the thread's streams at the click; its event may come later, or go to another
    replica. The next words the answer sends are refused, and that stops the answer here too."""
    slack = scripted_bot.slack
    # The stopped answer is long (20 s of text); the next one, which must run to its end, is short.
    scripted_generator.reply = lambda messages: long_reply(40) if NEXT in messages[-1]["content"] else long_reply()
    scripted_generator.piece_delay_s = 0.05
    question = ask_in_channel(scripted_bot, "Hoe vraag ik verlof aan?")
    streamed_text(slack, question["ts"])
    generation = scripted_generator.generations[-1]
    slack.workspace.stop_clicked(CHANNEL, question["ts"], USER)  # the click, its event not delivered

    closed = slack.wait_for_call("chat.stopStream", lambda c: "Gestopt" in str(c.params.get("chunks")), timeout=10)
    assert generation.cancelled and generation.done()
    written, _, note = slack.workspace.find_message(CHANNEL, closed.params["ts"])["text"].rpartition("\n\n")
    assert note == "_Gestopt op je verzoek._" and long_reply().startswith(written.strip())
    assert not slack.calls_to("chat.update"), "the stopped stream is closed, not replaced"
    slack.wait_until(lambda: slack.workspace.session(CHANNEL, question["ts"]).status == "active", 10, "active")
    assert not slack.workspace.left_processing_after_stop() and stored_answers(scripted_bot) == 0
