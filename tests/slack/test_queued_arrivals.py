"""Every way a question arrives goes through the durable question queue (bot/slack/answer_flow/durable.py):
a follow-up in a channel thread, `/vraag`, the "vraag hierover" shortcut, and events over HTTP as
well as Socket Mode. Two apps in this process stand in for two replicas: each its own connection
(or HTTP server), one SQLite queue. The same question delivered to both, as Slack's retry may be,
is answered once."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient

from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.answer_flow.interrupted import InterruptedAnswers
from bot.slack.listeners.shortcuts.ask_about_message import ASK_SHORTCUT
from bot.slack.ui.blocks import is_answer_message
from bot.storage.database import Storage
from bot.storage.queue import QuestionQueue
from tests.fakes.slack import FakeSlack, SignedSender, payloads
from tests.generators import ScriptedGenerator
from tests.slack.conftest import CHANNEL, SIGNING_SECRET, USER, RunningBot, bot_settings, running_bot
from tests.slack.fakes import scripted_engine, slack_generator
from tests.slack.test_answer_flow import ask_in_channel, final_message
from tests.slack.test_follow_up import answers_in, wait_for_answers

QUEUE = {"question_queue": True}


def queued(bot: RunningBot) -> dict[str, str]:
    """The question queue's rows: key -> state."""
    with bot.services.question_queue.database.read() as db:
        return {r.event_id: r.state for r in db.execute(sa.text("SELECT event_id, state FROM question_queue"))}


def settled(bots: list[RunningBot], questions: int) -> dict[str, str]:
    """Until the queue holds this many questions, every one answered, and no app is still writing."""
    def done() -> dict[str, str] | None:
        rows = queued(bots[0])
        return rows if len(rows) == questions and set(rows.values()) == {"done"} else None
    rows = bots[0].slack.wait_until(done, 20, f"{questions} questions answered through the queue")
    assert all(b.parts.replier.wait_until_idle(10) for b in bots)
    return rows


def to_both(slack: FakeSlack, kind: str, payload: dict) -> None:
    """The same request delivered on each connection, as a retry may reach another replica."""
    envelopes = [slack.send_envelope(payloads.envelope(kind, payload), connection=c) for c in slack.open_connections]
    for envelope_id in envelopes:
        slack.wait_for_ack(envelope_id)


@pytest.fixture
def replicas(scripted_bot_with) -> list[RunningBot]:
    bots = [scripted_bot_with(settings=QUEUE), scripted_bot_with(settings=QUEUE)]
    bots[0].slack.wait_for_connection(2)
    return bots


def test_a_follow_up_delivered_to_both_replicas_is_answered_once(replicas, scripted_generator):
    first = ask_in_channel(replicas[0], "Hoeveel vakantiedagen heb ik?")
    final_message(replicas[0], CHANNEL, first["ts"])
    settled(replicas, 1)
    follow_up = replicas[0].slack.user_posts("En voor parttimers?", user=USER, channel=CHANNEL,
                                             thread_ts=first["ts"], mention=False)
    to_both(replicas[0].slack, "events_api", payloads.event_callback(follow_up))
    assert settled(replicas, 2), "the mention and the follow-up"
    assert len(wait_for_answers(replicas[0], first["ts"], 2)) == 2 and len(scripted_generator.requests) == 2


def test_vraag_delivered_to_both_replicas_is_answered_once(replicas, scripted_generator):
    slack = replicas[0].slack
    url = slack.new_response_url()
    command = payloads.slash_command("/vraag", "Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL,
                                     response_url=url)
    to_both(slack, "slash_commands", command)
    assert settled(replicas, 1) == {command["trigger_id"]: "done"}
    slack.wait_for_response(url, lambda r: "blocks" in r.body)
    assert len([r for r in slack.responses if r.url == url and is_answer_message(r.body)]) == 1
    assert len(scripted_generator.requests) == 1


def test_the_shortcut_delivered_to_both_replicas_is_answered_once(replicas, scripted_generator):
    slack = replicas[0].slack
    asked = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL, mention=False)
    url = slack.new_response_url()
    shortcut = payloads.message_shortcut(ASK_SHORTCUT, user=USER, channel=CHANNEL, response_url=url,
                                         message={"type": "message", "user": USER, "text": asked["text"],
                                                  "ts": asked["ts"]})
    to_both(slack, "interactive", shortcut)
    assert settled(replicas, 1) == {shortcut["trigger_id"]: "done"}
    slack.wait_for_response(url, lambda r: "blocks" in r.body)
    assert len([r for r in slack.responses if r.url == url and is_answer_message(r.body)]) == 1
    assert len(scripted_generator.requests) == 1


@pytest.fixture
def http_replicas(tmp_path: Path, slack: FakeSlack,
                  scripted_generator: ScriptedGenerator) -> Iterator[list[tuple[RunningBot, SignedSender]]]:
    settings = bot_settings(tmp_path, slack, slack_app_token="", **QUEUE)
    started = []
    with running_bot(slack, Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                                     feedback=FeedbackStore(Storage().database(settings.folders.feedback_path))),
                     mode="http") as (first, first_server), \
         running_bot(slack, Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                                     feedback=FeedbackStore(Storage().database(settings.folders.feedback_path))),
                     mode="http") as (second, second_server):
        for bot, server in ((first, first_server), (second, second_server)):
            started.append((bot, SignedSender(f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET)))
        yield started


def test_an_event_over_http_posted_to_both_replicas_is_answered_once(http_replicas, scripted_generator):
    (first, to_first), (second, to_second) = http_replicas
    event = first.slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
    body = payloads.event_callback(event)
    assert to_first.post_event(body).status == 200
    assert to_second.post_event(body, retry_num=1).status == 200  # Slack's retry, at the other replica
    assert settled([first, second], 1) == {body["event_id"]: "done"}
    final_message(first, CHANNEL, event["ts"])
    assert len(answers_in(first, event["ts"])) == 1 and len(scripted_generator.requests) == 1


def places_told(slack: FakeSlack) -> list[int]:
    """Every queue place told ("je bent de 3e in de rij"), in whatever call it was shown."""
    with slack._changed:
        texts = [json.dumps(c.params, ensure_ascii=False) for c in slack.calls]
    return [int(n) for text in texts for n in re.findall(r"je bent de (\d+)e in de rij", text)]


def test_the_queue_place_counts_the_questions_of_every_replica(scripted_bot_with, scripted_generator):
    """Each replica has its own model here, as each process has; both are busy. The second question
    at b waits behind one of b's own, but three questions were asked before it."""
    own = slack_generator()
    try:
        a = scripted_bot_with(settings=QUEUE)
        b = scripted_bot_with(settings=QUEUE, engine=scripted_engine(own), generator=own)
        slack = a.slack
        slack.wait_for_connection(2)
        a_connection, b_connection = slack.open_connections
        scripted_generator.hold()
        own.hold()
        for n, (connection, model) in enumerate(((a_connection, scripted_generator), (a_connection, scripted_generator),
                                                 (b_connection, own), (b_connection, own))):
            event = slack.user_posts(f"Vraag nummer {n}?", user=USER, channel=CHANNEL)
            slack.wait_for_ack(slack.push_event(event, connection=connection))
            model.wait_for_requests(n % 2 + 1)
        told = slack.wait_until(lambda: (lambda p: p if len(p) >= 2 else None)(places_told(slack)), 20,
                                "the second question at each replica told its place")
        assert sorted(told) == [2, 4], "a's second has one question before it; b's second three"
        scripted_generator.release()
        own.release()
        settled([a, b], 4)
    finally:
        own.release()
        own.close()


LONG_ANSWER = ("Je hebt recht op vijfentwintig vakantiedagen per jaar [1]. Parttimers krijgen dat naar rato "
               "van hun uren. Verlof vraag je aan in het personeelsportaal, minstens twee weken vooraf. "
               "Niet opgenomen dagen vervallen na vijf jaar.")  # within max_tokens: only a cancel stops it early


@pytest.fixture
def slow_model() -> Iterator[ScriptedGenerator]:
    """An answer streamed over about four seconds: long enough to be taken over in the middle."""
    generator = ScriptedGenerator(LONG_ANSWER, piece_delay_s=0.1, piece_chars=8)
    yield generator
    generator.close()


def take_over(bot: RunningBot, key: str) -> None:
    """Another replica claims the question, as if this one's lease had expired: a replica that hung
    (or whose connection to the database did) past its lease."""
    later = QuestionQueue(bot.services.question_queue.database, lease_s=60, clock=lambda: time.time() + 3600)
    claim = later.claim("de-andere-replica")
    assert claim is not None and claim.event_id == key and claim.attempt == 2


def test_a_replica_whose_question_was_taken_over_stops_and_posts_no_answer(scripted_bot_with, slow_model):
    bot = scripted_bot_with(settings={**QUEUE, "question_lease_seconds": 0.9}, engine=scripted_engine(slow_model),
                            generator=slow_model)
    slack = bot.slack
    event = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
    envelope = slack.push_event(event)
    slack.wait_for_ack(envelope)
    slack.wait_for_call("chat.appendStream")  # part of the answer is in the thread
    take_over(bot, next(iter(queued(bot))))
    slack.wait_until(lambda: slow_model.generations[0].cancelled or None, 10, "the generation cancelled")
    assert bot.parts.replier.wait_until_idle(10)
    assert not answers_in(bot, event["ts"]), "the answer is left to the replica that took the question over"
    assert not [c for c in slack.calls_to("chat.stopStream") if c.params.get("blocks")]
    assert queued(bot) == {next(iter(queued(bot))): "claimed"}, "still the taker's, not marked done here"


def test_the_taker_closes_the_half_answer_of_a_replica_that_died(scripted_bot_with, scripted_generator):
    bot = scripted_bot_with(settings={**QUEUE, "question_lease_seconds": 2})  # its sweeper looks every second
    slack = bot.slack
    event = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
    # A replica took the question and died after streaming a few words of its answer.
    dead = QuestionQueue(bot.services.question_queue.database, lease_s=0.2)
    assert dead.offer("Ev-gestorven", USER, {"kind": "mention", "request": event}) and dead.claim("dood")
    client = WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    half = client.chat_startStream(channel=CHANNEL, thread_ts=event["ts"], recipient_user_id=USER,
                                   recipient_team_id=slack.workspace.team_id, markdown_text="Je hebt recht op 2")
    stop = bot.parts.questions.start()  # the sweeper takes the question over once the lease expired
    try:
        answer = final_message(bot, CHANNEL, event["ts"])
    finally:
        stop()
    closed = slack.workspace.find_message(CHANNEL, half["ts"])
    assert closed["text"] == "Dit antwoord werd onderbroken; het volledige antwoord staat hieronder."
    assert slack.calls_to("chat.stopStream", lambda c: c.params.get("ts") == half["ts"]), "its stream was ended"
    assert float(answer["ts"]) > float(closed["ts"]), "the full answer below it"
    assert len(answers_in(bot, event["ts"])) == 1 and queued(bot) == {"Ev-gestorven": "done"}


def test_only_the_messages_before_the_next_persons_message_are_closed(slack):
    """A later question in the same thread may be being answered by a live replica: left alone."""
    client = WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    question = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)

    def stream(text: str) -> str:
        return client.chat_startStream(channel=CHANNEL, thread_ts=question["ts"], recipient_user_id=USER,
                                       recipient_team_id=slack.workspace.team_id, markdown_text=text)["ts"]
    half = stream("Je hebt recht op 2")
    slack.user_posts("En ik?", user="U0BOB", channel=CHANNEL, thread_ts=question["ts"])
    live = stream("Jij hebt recht op")
    assert InterruptedAnswers(client, lambda: slack.workspace.bot_user_id).close(question) == 1
    assert slack.workspace.find_message(CHANNEL, half)["text"].startswith("Dit antwoord werd onderbroken")
    assert slack.workspace.find_message(CHANNEL, live)["text"] == "Jij hebt recht op"


def test_a_dead_replica_that_left_two_unfinished_messages_leaves_one_note(slack):
    """A queue place told in its own message and the half-streamed answer: one note, the rest gone."""
    client = WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    question = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
    place = client.chat_postMessage(channel=CHANNEL, thread_ts=question["ts"], text="Je bent nummer 2 in de rij.")
    half = client.chat_startStream(channel=CHANNEL, thread_ts=question["ts"], recipient_user_id=USER,
                                   recipient_team_id=slack.workspace.team_id, markdown_text="Je hebt recht op 2")
    assert InterruptedAnswers(client, lambda: slack.workspace.bot_user_id).close(question) == 2
    left = [m["text"] for m in slack.workspace.messages[CHANNEL]
            if m.get("thread_ts") == question["ts"] and m["ts"] != question["ts"]]
    assert left == ["Dit antwoord werd onderbroken; het volledige antwoord staat hieronder."], left
    assert slack.calls_to("chat.stopStream", lambda c: c.params.get("ts") == half["ts"]), "its stream was ended"
    assert slack.calls_to("chat.delete", lambda c: c.params.get("ts") in (place["ts"], half["ts"]))
