"""The answer lane's side of the question queue (bot/slack/answer_flow/durable.py) on a real SQLite
queue: a redelivered question is dropped; every listener answers through the queue, so a question
claimed by another listener first is not answered twice; a question claimed again after its
replica died is answered, unless its thread shows that it was answered already; the sweeper takes
over a question whose lease expired."""

from __future__ import annotations

import threading

from bot.slack.answer_flow.durable import DurableQuestions, event_kind
from bot.storage.database import Storage
from bot.storage.queue import QuestionQueue
from tests.storage.test_queue import Clock


def envelope(n: int, kind: str = "mention") -> dict:
    event = {"type": "app_mention", "user": f"U{n}", "text": f"<@UBOT> vraag {n}", "ts": f"1.{n:06d}",
             "channel": "C0ALGEMEEN"}
    if kind == "dm":
        event.update(type="message", channel_type="im", channel=f"D{n}")
    return {"event_id": f"Ev{n}", "event": event}


class Lane:
    """DurableQuestions on a SQLite queue, answering by recording."""

    def __init__(self, tmp_path, *, answered_in_slack=lambda kind, event: False, clock=None, worker="a") -> None:
        options = {"clock": clock} if clock else {}
        self.queue = QuestionQueue(Storage("").database(tmp_path / "questions.sqlite3"), lease_s=6, **options)
        self.answered: list[tuple[str, str]] = []
        self.durable = DurableQuestions(self.queue, self.answer, answered_in_slack, worker=worker, sweep_s=0.05,
                                        kind_of=lambda body, bot_user_id: event_kind(body.get("event") or {}))

    def answer(self, kind: str, event: dict, ticket: int | None, key: str) -> None:
        self.answered.append((kind, event["text"]))


def test_a_redelivery_is_dropped_and_other_events_pass(tmp_path):
    lane = Lane(tmp_path).durable
    assert lane.offer(envelope(1)) and lane.offer(envelope(2, "dm"))
    assert not lane.offer(envelope(1)), "Slack's retry, or the same envelope at another replica"
    assert lane.offer({"event_id": "Ev9", "event": {"type": "app_home_opened", "user": "U9"}}), "not a question"
    assert lane.holds("Ev1") and not lane.holds("Ev1") and not lane.holds("Ev9")


def test_each_listener_answers_one_question_whichever_it_claims(tmp_path):
    lane = Lane(tmp_path)
    for n in (1, 2):
        assert lane.durable.offer(envelope(n))
    # The listener of question 2 runs first: it claims the oldest, question 1; question 1's listener
    # then claims question 2. Neither answers its own event directly.
    assert lane.durable.holds("Ev2") and lane.durable.answer_next(None)
    assert lane.durable.holds("Ev1") and lane.durable.answer_next(None)
    assert not lane.durable.answer_next(None)
    assert lane.answered == [("mention", "<@UBOT> vraag 1"), ("mention", "<@UBOT> vraag 2")]


def test_a_question_claimed_again_is_answered_unless_its_thread_has_the_answer(tmp_path):
    clock = Clock()
    in_slack = {"Ev2"}
    lane = Lane(tmp_path, clock=clock, answered_in_slack=lambda kind, event: "vraag 2" in event["text"])
    for n in (1, 2):
        lane.durable.offer(envelope(n))
    dead = QuestionQueue(lane.queue.database, lease_s=6, clock=clock)
    assert dead.claim("dood") and dead.claim("dood")  # a replica that died holding both
    clock.now += 7
    assert lane.durable.answer_next(None) and lane.durable.answer_next(None)
    assert lane.answered == [("mention", "<@UBOT> vraag 1")], f"{in_slack} was answered before its replica died"
    assert not lane.durable.answer_next(None), "both are done"


def test_the_sweeper_takes_over_an_expired_lease(tmp_path):
    lane = Lane(tmp_path)
    lane.durable.offer(envelope(3, "dm"))
    assert QuestionQueue(lane.queue.database, lease_s=0.2).claim("dood")  # its replica dies at once
    done = threading.Event()
    lane.durable.answer_request = lambda kind, event, ticket, key: (lane.answered.append((kind, event["text"])),
                                                                    done.set())
    stop = lane.durable.start()
    try:
        assert done.wait(30), "the sweeper never took the question over"
    finally:
        stop()
    assert lane.answered == [("dm", "<@UBOT> vraag 3")]
