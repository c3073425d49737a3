"""The answer flow end to end over real sockets, with the real AnswerEngine on a scripted model."""

from __future__ import annotations

import pytest

from bot.slack.ui.blocks import (ACTION_FEEDBACK, ACTION_SHARE, ACTION_VOTE_UP, ANSWER_CHARS_PER_MESSAGE,
                              FEEDBACK_BLOCK_ID, blocks_text)
from bot.slack.features.greeting import SUGGESTED_PROMPTS
from bot.insights.feedback import FeedbackStore
from bot.storage.database import Storage
from tests.fakes.slack import payloads
from bot.services import Services
from tests.slack.conftest import CHANNEL, DM, USER, RunningBot, bot_settings, running_bot
from tests.slack.fakes import FixedRetriever, question_of, scripted_engine


def ask_in_channel(bot: RunningBot, text: str, *, thread_ts: str | None = None,
                   user: str = USER, channel: str = CHANNEL) -> dict:
    event = bot.slack.user_posts(text, user=user, channel=channel, thread_ts=thread_ts)
    bot.slack.wait_for_ack(bot.slack.push_event(event))
    return event


def final_message(bot: RunningBot, channel: str, thread_ts: str | None, *, timeout: float = 20.0) -> dict:
    """The bot's finished answer (the message carrying the feedback buttons) in this thread."""
    def answer() -> dict | None:
        with bot.workspace.lock:
            for m in bot.workspace.messages.get(channel, []):
                if m.get("bot_id") and m.get("thread_ts") == thread_ts and any(
                        b.get("block_id") == FEEDBACK_BLOCK_ID for b in m.get("blocks") or []):
                    return dict(m)
        return None
    return bot.slack.wait_until(answer, timeout, f"an answer in {channel}/{thread_ts}")


def button_ids(message: dict) -> list[str]:
    """The action ids of a message's buttons (feedback buttons and plain ones)."""
    return [e["action_id"] for b in message["blocks"] if b["type"] in ("actions", "context_actions")
            for e in b["elements"]]


def feedback_values(message: dict) -> dict[str, str]:
    """{"positive": value, "negative": value} of the message's feedback buttons."""
    element = next(e for b in message["blocks"] if b["type"] == "context_actions" for e in b["elements"]
                   if e["type"] == "feedback_buttons")
    assert element["action_id"] == ACTION_FEEDBACK
    return {"positive": element["positive_button"]["value"], "negative": element["negative_button"]["value"]}


def shown_text(message: dict) -> str:
    """The answer as the user reads it: its markdown blocks, or (a streamed answer) the streamed text."""
    return blocks_text(message.get("blocks") or []) or message.get("text", "")


def sources_text(message: dict) -> str:
    return " ".join(e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"])


def feedback_click(message: dict, *, which: str, user: str, response_url: str, channel: str = CHANNEL) -> dict:
    """A click on one of the message's feedback buttons, as Slack sends it."""
    values = feedback_values(message)
    action = {"type": "feedback_buttons", "action_id": ACTION_FEEDBACK, "block_id": FEEDBACK_BLOCK_ID,
              "value": values[which], "text": {"type": "plain_text", "text": "Nuttig"}}
    return payloads.block_actions(action, user=user, channel=channel, response_url=response_url, message=message)


def test_mention_is_answered_in_its_thread_streamed_then_block_kit(scripted_bot, scripted_generator):
    scripted_generator.piece_delay_s = 0.03  # slow enough that the stream is appended to
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    slack = scripted_bot.slack
    answer = final_message(scripted_bot, CHANNEL, event["ts"])

    start = slack.calls_to("chat.startStream")[0]
    assert start.params["thread_ts"] == event["ts"] and start.params["task_display_mode"] == "plan"
    assert start.params["recipient_user_id"] == USER and start.params["recipient_team_id"]
    assert slack.calls_to("chat.appendStream"), "the answer should arrive in pieces"
    stop = slack.calls_to("chat.stopStream")[0]
    # thinking was shown at once in the question's thread (its agent session), and taken away afterwards
    processing = slack.calls_to("agents.sessions.setStatus")[0]
    assert processing.params["thread_ts"] == event["ts"] and processing.params["status"] == "processing"
    slack.wait_for_call("agents.sessions.setStatus", lambda c: c.params["status"] == "active")
    assert processing.at < start.at and not slack.calls_to("reactions.add")
    # the finished message is the streamed one: its text, then the sources and buttons stopStream added
    assert answer["ts"] == start.response["ts"] and not answer["streaming"]
    assert "**25 vakantiedagen**" in answer["text"] and "[1]" in answer["text"]
    assert stop.params["blocks"] == answer["blocks"]
    assert "Vakantie en verlof" in sources_text(answer) and "hr/vakantie-en-verlof.md" in sources_text(answer)
    assert button_ids(answer) == [ACTION_FEEDBACK]
    assert answer["tasks"]["schrijven"]["status"] == "complete"
    assert not slack.calls_to("chat.update") and not slack.calls_to("chat.delete"), "nothing replaced"


def test_follow_up_in_a_thread_gets_the_thread_as_history(scripted_bot, scripted_generator):
    first = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    final_message(scripted_bot, CHANNEL, first["ts"])
    follow_up = ask_in_channel(scripted_bot, "En voor parttimers?", thread_ts=first["ts"])
    scripted_generator.wait_for_requests(2)
    prompt = scripted_generator.requests[1].messages[-1]["content"]
    assert "Hoeveel vakantiedagen heb ik?" in prompt  # the earlier question
    assert "25 vakantiedagen" in prompt  # the earlier answer
    replies = scripted_bot.slack.calls_to("conversations.replies")
    assert replies and replies[-1].params["ts"] == first["ts"]
    assert follow_up["thread_ts"] == first["ts"]


def test_direct_message_is_answered_in_the_thread_it_starts(scripted_bot):
    """The Messages tab of the agent view: every message is the root of its own thread."""
    slack = scripted_bot.slack
    event = slack.user_posts("Hoe meld ik me ziek?", user=USER, channel=DM)
    slack.wait_for_ack(slack.push_event(event))
    answer = final_message(scripted_bot, DM, event["ts"])
    assert slack.calls_to("chat.startStream")[0].params["thread_ts"] == event["ts"]
    assert not [m for m in slack.workspace.messages[DM] if m.get("bot_id") and not m.get("thread_ts")]
    assert answer["thread_ts"] == event["ts"]


def test_assistant_thread_gets_prompts_then_status_while_answering(scripted_bot_with, scripted_generator):
    scripted_bot = scripted_bot_with(settings={"slack_messaging": "assistant"})
    slack = scripted_bot.slack
    slack.workspace.messaging = "assistant"  # a workspace still on the assistant view
    started = payloads.assistant_thread_started(user=USER, channel=DM)
    thread_ts = started["assistant_thread"]["thread_ts"]
    slack.workspace.store_message(DM, {"type": "message", "user": "UBOT", "ts": thread_ts, "text": ""})
    slack.push_event(started)
    prompts = slack.wait_for_call("assistant.threads.setSuggestedPrompts")
    assert prompts.ok and prompts.params["thread_ts"] == thread_ts
    assert slack.workspace.suggested_prompts[(DM, thread_ts)]["prompts"] == SUGGESTED_PROMPTS
    assert [p["message"] for p in prompts.params["prompts"]] == [p["message"] for p in SUGGESTED_PROMPTS]
    assert "Hoe vraag ik verlof aan?" in [p["message"] for p in prompts.params["prompts"]]

    event = slack.user_posts("Hoe vraag ik verlof aan?", user=USER, channel=DM, thread_ts=thread_ts)
    slack.push_event(event)
    answer = final_message(scripted_bot, DM, thread_ts)
    start = slack.calls_to("chat.startStream")[0]  # streamed in the assistant thread
    assert start.params["channel"] == DM and start.params["thread_ts"] == thread_ts
    assert answer["ts"] == start.response["ts"] and "25 vakantiedagen" in answer["text"]
    statuses = [c.params["status"] for c in slack.calls_to("assistant.threads.setStatus")]
    assert statuses[0] == "denkt na…"
    assert not slack.calls_to("reactions.add")
    assert len(scripted_generator.requests) == 1, "answered by the assistant listener only"


def test_without_chat_streaming_the_placeholder_is_edited(scripted_bot, scripted_generator):
    slack = scripted_bot.slack
    slack.workspace.disabled_methods.add("chat.startStream")
    scripted_generator.piece_delay_s = 0.03
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    placeholder = slack.calls_to("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])[0]
    assert placeholder.response["ts"] == answer["ts"]
    assert "Gevonden in" in placeholder.params["text"] and "Vakantie en verlof" in placeholder.params["text"]
    updates = slack.calls_to("chat.update", lambda c: c.params["ts"] == answer["ts"])
    assert len(updates) >= 2, "partial text first, then the finished answer"
    assert updates[0].params["text"].endswith("…") and "Gevonden in" in updates[0].params["text"]
    assert [b["type"] for b in answer["blocks"]] == ["markdown", "context", "context_actions"]
    # the next question does not try streaming again
    second = ask_in_channel(scripted_bot, "Nog een vraag?")
    final_message(scripted_bot, CHANNEL, second["ts"])
    assert len(slack.calls_to("chat.startStream")) == 1


def test_other_bots_edits_and_joins_are_not_answered(scripted_bot, scripted_generator):
    slack = scripted_bot.slack
    ignored = [
        payloads.message("ik ben een bot", user=None, channel=DM, bot_id="B0OTHER", subtype="bot_message"),
        payloads.message("eigen bericht", user="UBOT", channel=DM, bot_id="BBOT"),
        payloads.message_changed(channel=DM, ts=payloads.new_ts(), new_text="bewerkt", user=USER),
        payloads.message("joined", user=USER, channel=CHANNEL, channel_type="channel", subtype="channel_join"),
        payloads.app_mention("<@UBOT> ik ben ook een bot", user="U0BOT", channel=CHANNEL) | {"bot_id": "B0OTHER"},
    ]
    for event in ignored:
        slack.wait_for_ack(slack.push_event(event))
    # a real question after them is answered, and is the only one that reached the model
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    final_message(scripted_bot, CHANNEL, event["ts"])
    assert len(scripted_generator.requests) == 1
    assert not slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == DM)


def test_retried_event_is_answered_once(scripted_bot, scripted_generator):
    slack = scripted_bot.slack
    event = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
    first = slack.push_event(event, event_id="Ev0RETRY01")
    retry = slack.push_event(event, event_id="Ev0RETRY01", retry_attempt=1, retry_reason="timeout")
    slack.wait_for_ack(first)
    slack.wait_for_ack(retry)  # the retry is acknowledged too, so Slack stops retrying
    final_message(scripted_bot, CHANNEL, event["ts"])
    other = ask_in_channel(scripted_bot, "Een andere vraag?")
    final_message(scripted_bot, CHANNEL, other["ts"])
    assert len(scripted_generator.requests) == 2
    assert len(slack.calls_to("agents.sessions.setStatus", lambda c: c.params["thread_ts"] == event["ts"]
                              and c.params["status"] == "processing")) == 1


def test_busy_model_tells_the_queue_place_and_answers_all_in_order(scripted_bot, scripted_generator):
    scripted_generator.reply = lambda messages: f"Antwoord op {question_of(messages)} [1]"
    scripted_generator.hold()
    questions = [f"vraag nummer {i}?" for i in range(1, 6)]
    events = [ask_in_channel(scripted_bot, q) for q in questions]  # each acknowledged before the next
    scripted_generator.wait_for_requests(5)
    assert [question_of(r.messages) for r in scripted_generator.requests] == [f"Vraag: {q}" for q in questions]
    slack = scripted_bot.slack
    # Each waiting answer's stream already shows what was found, and its writing task says its place.
    def waiting() -> list[str]:
        with slack.workspace.lock:
            return [c["chunk"]["details"] for m in slack.workspace.streamed_messages(CHANNEL) for c in m["stream"]
                    if c["chunk"]["type"] == "task_update" and c["chunk"]["status"] == "pending"]
    places = slack.wait_until(lambda: (lambda w: w if len(w) == 4 else None)(waiting()), 10, "four queue places")
    assert any("2e in de rij" in p for p in places) and any("5e in de rij" in p for p in places)
    assert not slack.calls_to("chat.postMessage", lambda c: "in de rij" in c.params.get("text", ""))
    scripted_generator.release()
    answers = [final_message(scripted_bot, CHANNEL, e["ts"]) for e in events]
    for question, answer in zip(questions, answers):
        assert question in answer["text"]
        assert answer["tasks"]["schrijven"]["status"] == "complete"
    # The model wrote them in arrival order (its requests, above); each answer's stream is then
    # closed by its own listener thread, so those calls may cross: each closes exactly once.
    stops = [s.params["ts"] for s in slack.calls_to("chat.stopStream")]
    assert sorted(stops) == sorted(a["ts"] for a in answers) and len(set(stops)) == len(questions)


def test_slack_rate_limit_is_waited_out_and_retried(scripted_bot):
    slack = scripted_bot.slack
    slack.fail("chat.stopStream", status=429, retry_after=1)
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    stops = slack.calls_to("chat.stopStream")
    assert [s.status for s in stops] == [429, 200]
    assert stops[1].at - stops[0].at >= 0.9, "Retry-After was respected"
    assert answer["text"].startswith("Je hebt") and button_ids(answer) == [ACTION_FEEDBACK]


def test_an_error_reaches_the_user_as_dutch_not_a_traceback(scripted_bot, scripted_generator):
    def broken(messages: list[dict]) -> str:
        raise RuntimeError("CUDA out of memory at 0xdeadbeef")
    scripted_generator.reply = broken
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    slack = scripted_bot.slack
    slack.wait_for_call("chat.stopStream")
    stopped = slack.workspace.streamed_messages(CHANNEL)[0]
    assert stopped["thread_ts"] == event["ts"] and stopped["text"].strip().startswith("Sorry")
    assert stopped["tasks"]["schrijven"]["status"] == "error"
    everything = " ".join(str(c.params) for c in slack.calls)
    assert "Traceback" not in everything and "deadbeef" not in everything and "RuntimeError" not in everything
    slack.wait_until(lambda: slack.workspace.session(CHANNEL, event["ts"]).status == "active", 10,
                     "the session no longer processing")


def test_a_slack_outage_while_answering_still_ends_with_a_message(scripted_bot):
    slack = scripted_bot.slack
    slack.fail("chat.startStream", status=200, error="fatal_error", retry_after=None)
    slack.fail("chat.update", status=200, error="fatal_error", retry_after=None, times=10)
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    sorry = slack.wait_for_call("chat.update", lambda c: c.params.get("text", "").startswith("Sorry"))
    assert sorry  # the Dutch message is tried even after the failures
    assert event


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_mention_gets_a_hint(scripted_bot, scripted_generator, text):
    event = ask_in_channel(scripted_bot, text)
    hint = scripted_bot.slack.wait_for_call("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])
    assert "Stel je vraag" in hint.params["text"]
    assert not scripted_generator.requests


def test_feedback_buttons_store_the_vote_with_question_answer_and_sources(scripted_bot):
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    slack = scripted_bot.slack
    response_url = slack.new_response_url()
    click = feedback_click(answer, which="negative", user="U0BOB", response_url=response_url)
    slack.wait_for_ack(slack.push_interactive(click))
    thanks = slack.wait_for_response(response_url)
    assert thanks.body["text"].startswith("Bedankt") and thanks.body["response_type"] == "ephemeral"
    rows = list(scripted_bot.services.feedback.rows())
    assert len(rows) == 1
    assert rows[0]["vote"] == "down" and rows[0]["user"] == "U0BOB" and rows[0]["asked_by"] == USER
    assert rows[0]["question"] == "Hoeveel vakantiedagen heb ik?"
    assert "25 vakantiedagen" in rows[0]["answer"]
    assert rows[0]["sources"][0]["path"] == "hr/vakantie-en-verlof.md"
    assert rows[0]["channel"] == CHANNEL
    assert ACTION_SHARE not in button_ids(answer)
    # changing one's mind: the other button replaces the vote
    again = slack.new_response_url()
    slack.push_interactive(feedback_click(answer, which="positive", user="U0BOB", response_url=again))
    slack.wait_for_response(again)
    assert [r["vote"] for r in scripted_bot.services.feedback.rows()] == ["up"]


def test_the_old_thumbs_buttons_of_earlier_answers_still_count(scripted_bot):
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(scripted_bot, CHANNEL, event["ts"])
    answer_id = feedback_values(answer)["positive"].split(":", 1)[1]
    slack = scripted_bot.slack
    response_url = slack.new_response_url()
    old = {"action_id": ACTION_VOTE_UP, "value": answer_id, "block_id": FEEDBACK_BLOCK_ID}
    slack.push_interactive(payloads.block_actions(old, user="U0BOB", channel=CHANNEL, response_url=response_url))
    assert slack.wait_for_response(response_url).body["text"].startswith("Bedankt")
    assert [r["vote"] for r in scripted_bot.services.feedback.rows()] == ["up"]


def test_a_click_while_answers_are_being_written_is_not_held_up(scripted_bot, scripted_generator):
    """Answers wait for the model in listener threads; a button click must still be handled."""
    scripted_generator.hold()
    events = [ask_in_channel(scripted_bot, f"vraag {i}?") for i in range(3)]
    scripted_generator.wait_for_requests(3)
    response_url = scripted_bot.slack.new_response_url()
    click = payloads.block_actions({"action_id": ACTION_VOTE_UP, "value": "onbekend"}, user=USER,
                                   channel=CHANNEL, response_url=response_url)
    scripted_bot.slack.push_interactive(click)
    reply = scripted_bot.slack.wait_for_response(response_url, timeout=5)
    assert "niet meer terugvinden" in reply.body["text"]
    scripted_generator.release()
    for event in events:
        final_message(scripted_bot, CHANNEL, event["ts"])


def test_each_conversation_searches_only_its_collections(tmp_path, slack, scripted_generator):
    retriever = FixedRetriever()
    settings = bot_settings(tmp_path, slack, channel_collections={CHANNEL: ["hr"]}, dm_collections=["it"])
    services = Services(settings, engine=scripted_engine(scripted_generator, retriever),
                            generator=scripted_generator,
                            feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services) as bot:
        in_channel = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?")
        final_message(bot, CHANNEL, in_channel["ts"])
        elsewhere = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?", channel="C0ANDERS")
        final_message(bot, "C0ANDERS", elsewhere["ts"])
        in_dm = slack.user_posts("Hoe werkt de VPN?", user=USER, channel=DM)
        slack.push_event(in_dm)
        final_message(bot, DM, in_dm["ts"])
    assert [collections for _, collections in retriever.searches] == [["hr"], None, ["it"]]


def test_a_very_long_answer_continues_in_follow_up_messages_within_slacks_limits(scripted_bot, scripted_generator):
    # ~27,000 characters; every sentence differs, so the answer guard sees no loop
    scripted_generator.reply = lambda messages: "\n\n".join(
        f"{i}. " + "".join(f"Dit is zin {j} van alinea {i} over verlof. " for j in range(1, 22)) for i in range(1, 31))
    scripted_generator.piece_chars = 4000
    event = ask_in_channel(scripted_bot, "Vertel alles over verlof")
    last = final_message(scripted_bot, CHANNEL, event["ts"])  # the buttons are on the last message
    slack = scripted_bot.slack
    streamed = slack.workspace.streamed_messages(CHANNEL)[0]
    assert len(streamed["text"]) <= ANSWER_CHARS_PER_MESSAGE, "the stream stops growing at one message's worth"
    # the finished answer replaced the stream and continues in the thread, each message within the limits
    first = slack.wait_for_call("chat.update", lambda c: bool(c.params.get("blocks")))
    assert first.ok and first.params["ts"] == streamed["ts"]
    follow_ups = slack.calls_to("chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"])
    assert [c.ok for c in follow_ups] == [True, True] and follow_ups[-1].response["ts"] == last["ts"]
    messages = [first.params["blocks"]] + [c.params["blocks"] for c in follow_ups]
    texts = [b["text"] for m in messages for b in m if b["type"] == "markdown"]
    assert len(texts) == 3 and all(len(t) <= ANSWER_CHARS_PER_MESSAGE for t in texts)
    assert " ".join("\n\n".join(texts).split()) == " ".join(scripted_generator.reply([]).split())
    assert button_ids(last) == [ACTION_FEEDBACK]
