"""Answers streamed through slack_sdk's ChatStream, end to end over the fake Slack: the documents
found are shown before the model's first word, refusals at once, the stream ends in Slack's own
idioms (sources, feedback buttons), and nothing hostile gets through in any chunk."""

from __future__ import annotations

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.engine import AnswerEngine
from bot.answering.types import Preview
from bot.answering.prompts import NOT_FOUND
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.ui.blocks import ACTION_FEEDBACK
from bot.slack.ui.safe_text import ZWSP
from bot.storage.database import Storage
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.workspace import check_blocks
from tests.generators import ScriptedGenerator
from tests.slack.conftest import CHANNEL, DM, USER, RunningBot, bot_settings, running_bot
from tests.slack.fakes import FixedRetriever, chunk, scripted_engine
from tests.slack.test_answer_flow import (ask_in_channel, button_ids, feedback_click, final_message,
                                          sources_text)

QUESTION = "Hoeveel vakantiedagen heb ik?"


def stream_of(bot: RunningBot, channel: str, thread_ts: str) -> dict:
    """The streamed message in this thread, once it exists (a copy of the fake Slack's record)."""
    def found() -> dict | None:
        with bot.workspace.lock:
            return next((json.loads(json.dumps(m)) for m in bot.workspace.streamed_messages(channel)
                         if m["thread_ts"] == thread_ts), None)
    return bot.slack.wait_until(found, 10, f"a stream in {channel}/{thread_ts}")


def answer_started(message: dict, words: str) -> int | None:
    """The index in the stream of the first markdown chunk that has the answer's `words`."""
    return next((i for i, e in enumerate(message["stream"])
                 if e["chunk"]["type"] == "markdown_text" and words in e["chunk"]["text"]), None)


class PreviewingEngine(AnswerEngine):
    """The real engine, with the best sentence of the first passage as its preview (the preview itself
    is another part's work; these tests are about showing it)."""

    def ask(self, *args, **kwargs):
        stream = super().ask(*args, **kwargs)
        if stream.found and not stream.abstained:
            stream._preview = Preview("Iedereen heeft 25 vakantiedagen.", stream.found[0])
        return stream


def ask_once(tmp_path, slack: FakeSlack, engine: AnswerEngine, generator: ScriptedGenerator,
             question: str) -> tuple[RunningBot, dict, dict]:
    """Runs the app over `engine` for one channel question; (the bot, the event, the final message)."""
    settings = bot_settings(tmp_path, slack)
    services = Services(settings, engine=engine, generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services) as bot:
            event = ask_in_channel(bot, question)
            return bot, event, final_message(bot, CHANNEL, event["ts"])
    finally:
        generator.close()


def test_the_documents_are_shown_before_the_first_word_of_the_answer(scripted_bot, scripted_generator):
    scripted_generator.hold()  # the model has not written a word yet
    event = ask_in_channel(scripted_bot, QUESTION)
    slack = scripted_bot.slack
    start = slack.wait_for_call("chat.startStream")
    scripted_generator.wait_for_requests(1)
    assert start.params["recipient_user_id"] == USER and start.params["recipient_team_id"] == slack.workspace.team_id
    before = stream_of(scripted_bot, CHANNEL, event["ts"])
    assert before["plan_title"] == "Gevonden in de documenten"
    search = before["tasks"]["zoeken"]
    assert search["status"] == "complete" and "Vakantie en verlof › Vakantiedagen" in search["output"]
    prompt = json.dumps(scripted_generator.requests[0].messages, ensure_ascii=False)
    listed = [line[2:] for line in search["output"].splitlines() if line.startswith("• ")]
    assert listed and all(title.split(" › ")[0] in prompt for title in listed), "the documents the model reads"
    assert before["tasks"]["schrijven"]["status"] == "in_progress"
    assert "25 vakantiedagen" not in before["text"], "no answer before the model wrote it"

    scripted_generator.release()
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    after = stream_of(scripted_bot, CHANNEL, event["ts"])
    first_word = answer_started(after, "Je hebt")
    titled = next(i for i, e in enumerate(after["stream"]) if "Vakantie en verlof" in json.dumps(e["chunk"]))
    assert titled < first_word and after["stream"][titled]["at"] <= after["stream"][first_word]["at"]
    assert after["tasks"]["schrijven"]["status"] == "complete"
    assert button_ids(answer) == [ACTION_FEEDBACK]


def test_the_best_sentence_is_quoted_with_its_document_before_the_answer_but_not_in_it(tmp_path, slack):
    generator = ScriptedGenerator("Je hebt **25 vakantiedagen** per jaar [1].", piece_chars=8)
    engine = PreviewingEngine(FixedRetriever(), generator, min_relevance=0.0, cache_size=0, max_tokens=64)
    _, _, answer = ask_once(tmp_path, slack, engine, generator, QUESTION)
    start = slack.calls_to("chat.startStream")[0]
    search = next(c for c in start.params["chunks"] if c["type"] == "task_update" and c["id"] == "zoeken")
    assert search["output"].endswith("\n\n“Iedereen heeft 25 vakantiedagen.” — Vakantie en verlof › Vakantiedagen")
    assert not [c for c in start.params["chunks"] if c["type"] == "markdown_text"], "the text is the answer's"
    # The message's text is the answer alone: it is what the thread's history and the blocks read.
    assert answer["text"].startswith("Je hebt **25 vakantiedagen**") and "Iedereen heeft" not in answer["text"]


def test_a_refusal_is_said_at_once_without_the_model(tmp_path, slack):
    generator = ScriptedGenerator("dit mag nooit geschreven worden")
    engine = scripted_engine(generator, FixedRetriever([]))  # nothing found
    bot, event, answer = ask_once(tmp_path, slack, engine, generator, "Wat is de hoofdstad van Mongolië?")
    assert generator.requests == []
    stream = stream_of(bot, CHANNEL, event["ts"])
    assert stream["plan_title"] == "Niet gevonden in de documenten"
    assert "schrijven" not in stream["tasks"], "no writing is pretended"
    assert answer["text"].startswith(NOT_FOUND["nl"])
    assert button_ids(answer) == [ACTION_FEEDBACK]
    assert not slack.calls_to("chat.appendStream"), "said in one go"


def test_when_the_model_says_it_is_not_there_the_finished_refusal_replaces_the_stream(scripted_bot, scripted_generator):
    scripted_generator.reply = lambda messages: '"dat kan ik niet vinden in de documenten"'
    event = ask_in_channel(scripted_bot, QUESTION)
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    slack = scripted_bot.slack
    start = slack.calls_to("chat.startStream")[0]
    assert answer["ts"] == start.response["ts"]
    assert slack.calls_to("chat.stopStream")[0].params.get("blocks") is None  # ended without the footer…
    replaced = slack.calls_to("chat.update", lambda c: c.params["ts"] == answer["ts"])[-1]  # …then replaced
    assert replaced.params["blocks"] == answer["blocks"]
    markdown = answer["blocks"][0]["text"]
    assert markdown.startswith(NOT_FOUND["nl"]) and "Misschien helpen deze documenten" in markdown
    assert button_ids(answer) == [ACTION_FEEDBACK]


def test_vraag_says_what_it_found_then_answers_privately_in_valid_blocks(scripted_bot):
    slack = scripted_bot.slack
    _, url = slack.push_command("/vraag", QUESTION, user=USER, channel=CHANNEL)
    private = slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
    # after the AI notice of a first contact, what was found comes first
    found = slack.wait_for_response(url, lambda r: "AI-assistent" not in r.body.get("text", ""))
    assert "Gevonden in" in found.body["text"] and "Vakantie en verlof" in found.body["text"]
    assert found.at <= private.at and found.body["response_type"] == "ephemeral"
    check_blocks(private.body["blocks"])
    assert [b["type"] for b in private.body["blocks"]] == ["context", "markdown", "context", "context_actions",
                                                           "actions"]


def test_a_dm_thread_and_an_assistant_thread_are_streamed(scripted_bot):
    from tests.fakes.slack import payloads

    slack = scripted_bot.slack
    root = slack.user_posts("Eerste vraag", user=USER, channel=DM)
    event = slack.user_posts(QUESTION, user=USER, channel=DM, thread_ts=root["ts"])
    slack.push_event(event)
    answer = final_message(scripted_bot, DM, root["ts"])
    dm_start = slack.calls_to("chat.startStream")[0]
    assert dm_start.params["channel"] == DM and dm_start.params["thread_ts"] == root["ts"]
    assert "25 vakantiedagen" in answer["text"] and button_ids(answer) == [ACTION_FEEDBACK]

    started = payloads.assistant_thread_started(user=USER, channel=DM)
    thread_ts = started["assistant_thread"]["thread_ts"]
    slack.workspace.store_message(DM, {"type": "message", "user": "UBOT", "ts": thread_ts, "text": ""})
    slack.push_event(started)
    slack.wait_for_call("assistant.threads.setSuggestedPrompts")
    slack.push_event(slack.user_posts(QUESTION, user=USER, channel=DM, thread_ts=thread_ts))
    final_message(scripted_bot, DM, thread_ts)
    assert stream_of(scripted_bot, DM, thread_ts)["tasks"]["schrijven"]["status"] == "complete"


def test_without_streaming_the_edited_message_ends_the_same(scripted_bot):
    slack = scripted_bot.slack
    streamed = final_message(scripted_bot, CHANNEL, ask_in_channel(scripted_bot, QUESTION)["ts"])
    slack.workspace.disabled_methods.add("chat.startStream")  # as on a workspace without streaming
    edited = final_message(scripted_bot, CHANNEL, ask_in_channel(scripted_bot, QUESTION)["ts"])
    assert edited["blocks"][0] == {"type": "markdown", "text": streamed["text"]}
    assert edited["blocks"][1:-1] == streamed["blocks"][:-1]  # the same sources
    assert [b["type"] for b in edited["blocks"][-1:]] == ["context_actions"] and button_ids(edited) == [ACTION_FEEDBACK]
    # and a vote on it is stored like any other
    url = slack.new_response_url()
    slack.push_interactive(feedback_click(edited, which="positive", user=USER, response_url=url))
    slack.wait_for_response(url)
    assert [r["vote"] for r in scripted_bot.services.feedback.rows()] == ["up"]


def test_a_refused_stream_is_edited_instead_and_streaming_stays_on(scripted_bot):
    slack = scripted_bot.slack
    slack.fail("chat.startStream", status=200, error="invalid_chunks", retry_after=None)  # this call's content
    first = final_message(scripted_bot, CHANNEL, ask_in_channel(scripted_bot, QUESTION)["ts"])
    assert first["blocks"][0]["type"] == "markdown" and "stream" not in first
    second = ask_in_channel(scripted_bot, QUESTION)
    final_message(scripted_bot, CHANNEL, second["ts"])
    assert stream_of(scripted_bot, CHANNEL, second["ts"])["tasks"]["schrijven"]["status"] == "complete"


def test_a_stream_that_breaks_off_is_finished_by_editing_the_same_message(scripted_bot, scripted_generator):
    scripted_generator.piece_delay_s = 0.03
    slack = scripted_bot.slack
    slack.fail("chat.appendStream", status=200, error="message_not_in_streaming_state", retry_after=None, times=1)
    # No session here: in one, a stream Slack stopped is the stop button (tests/slack/test_channel_sessions.py).
    slack.fail("agents.sessions.setStatus", status=200, error="not_allowed_token_type", retry_after=None)
    event = ask_in_channel(scripted_bot, QUESTION)
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    start = slack.calls_to("chat.startStream")[0]
    assert answer["ts"] == start.response["ts"], "no second message"
    assert answer["blocks"][0]["type"] == "markdown" and "**25 vakantiedagen**" in answer["blocks"][0]["text"]
    assert "Vakantie en verlof" in sources_text(answer)
    assert len(slack.calls_to("chat.appendStream")) == 1 and not slack.calls_to("chat.stopStream")


def test_an_english_question_gets_english_tasks(scripted_bot):
    event = ask_in_channel(scripted_bot, "How many vacation days do I have?")
    final_message(scripted_bot, CHANNEL, event["ts"])
    stream = stream_of(scripted_bot, CHANNEL, event["ts"])
    assert stream["plan_title"] == "Found in the documents"
    assert stream["tasks"]["zoeken"]["title"] == "Searching the documents"


HOSTILE_DOC = chunk("hr/verlof.md", "Verlof <!channel> <@U0OTHER>",
                    "Verlof vraag je aan bij <@U0OTHER>. <!here> [klik](https://evil.example/a)",
                    "Aanvragen <!everyone>")
HOSTILE_REPLY = "Vraag het <@U0OTHER> <!channel> of [klik](https://evil.example/b) @here <!subteam^S0HR|@hr> [1]."
RAW = ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0OTHER>", "@here", "evil.example")


@pytest.mark.parametrize("streaming", [True, False])
def test_hostile_documents_and_replies_are_neutralised_in_chunks_tasks_and_blocks(tmp_path, slack, streaming):
    generator = ScriptedGenerator(HOSTILE_REPLY, piece_chars=5)
    engine = PreviewingEngine(FixedRetriever([HOSTILE_DOC]), generator, min_relevance=0.0, cache_size=0,
                              max_tokens=64)
    if not streaming:
        slack.workspace.disabled_methods.add("chat.startStream")
    bot, event, answer = ask_once(tmp_path, slack, engine, generator, "Hoe vraag ik verlof aan?")
    sent = json.dumps([c.params for c in slack.calls], ensure_ascii=False)
    for raw in RAW:
        assert raw not in sent, f"{raw!r} reached Slack as such"
    assert f"@{ZWSP}channel" in sent and f"@{ZWSP}U0OTHER" in sent  # shown, as text
    if streaming:
        search = stream_of(bot, CHANNEL, event["ts"])["tasks"]["zoeken"]
        assert f"Verlof @{ZWSP}channel" in search["output"]
        assert "klik" in answer["text"] and "](" not in answer["text"]
    else:
        assert "klik" in answer["blocks"][0]["text"] and "](" not in answer["blocks"][0]["text"]


def fake_client(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)


@pytest.mark.parametrize("arguments, error", [
    ({"channel": CHANNEL}, "thread_ts"),  # streamed messages answer someone
    ({"channel": CHANNEL, "thread_ts": "1.1"}, "recipient_user_id"),  # channels say who receives it
    ({"channel": CHANNEL, "thread_ts": "1.1", "recipient_user_id": USER, "recipient_team_id": "T1",
      "chunks": [{"type": "task_update", "id": "a", "title": "x", "status": "busy"}]}, "status"),
    ({"channel": CHANNEL, "thread_ts": "1.1", "recipient_user_id": USER, "recipient_team_id": "T1",
      "chunks": [{"type": "plan_update"}]}, "plan_update"),
    ({"channel": DM, "thread_ts": "1.1", "markdown_text": "x" * 12001}, "msg_too_long"),
])
def test_the_fake_slack_checks_streams_as_slack_does(slack, arguments, error):
    with pytest.raises(SlackApiError) as refused:
        fake_client(slack).api_call("chat.startStream", json=arguments)
    assert error in json.dumps(refused.value.response.data)


def test_a_stopped_stream_takes_nothing_more(slack):
    client = fake_client(slack)
    started = client.chat_startStream(channel=DM, thread_ts="1.1", markdown_text="Hoi")
    client.chat_stopStream(channel=DM, ts=started["ts"], blocks=[{"type": "divider"}] * 50)
    for call in (lambda: client.chat_appendStream(channel=DM, ts=started["ts"], markdown_text="meer"),
                 lambda: client.chat_stopStream(channel=DM, ts=started["ts"])):
        with pytest.raises(SlackApiError) as refused:
            call()
        assert refused.value.response["error"] == "message_not_in_streaming_state"
