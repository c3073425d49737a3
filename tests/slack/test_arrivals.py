"""Arrival order of questions across listener threads, and once-only handling of retried events."""

from __future__ import annotations

import threading
import time

from bot.slack.transport.arrivals import ArrivalOrder, ListenerPool, SeenEvents
from bot.slack.answer_flow.conversation import plain_text


def test_later_tickets_wait_for_earlier_ones():
    order = ArrivalOrder()
    tickets = [order.take() for _ in range(4)]
    entered: list[int] = []

    def submit(ticket: int) -> None:
        with order.turn(ticket):
            entered.append(ticket)

    threads = [threading.Thread(target=submit, args=(t,)) for t in reversed(tickets)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)  # the latest ticket starts first
    for thread in threads:
        thread.join(5)
    assert entered == tickets


def test_a_ticket_that_never_comes_does_not_block_for_ever():
    order = ArrivalOrder(max_wait_s=0.2)
    _lost, mine, next_one = order.take(), order.take(), order.take()
    started = time.monotonic()
    with order.turn(mine):
        pass
    assert time.monotonic() - started >= 0.19  # it did wait for the lost ticket, up to max_wait_s
    order.max_wait_s = 600  # were the lost ticket still awaited, the next turn would now hang
    done = threading.Event()

    def next_turn() -> None:
        with order.turn(next_one):  # the lost ticket was given up once, not again for each question
            done.set()
    threading.Thread(target=next_turn, daemon=True).start()
    assert done.wait(30)


def test_seen_events_are_bounded():
    seen = SeenEvents(capacity=3)
    assert seen.first_time("a") and not seen.first_time("a")
    for name in "bcd":
        assert seen.first_time(name)
    assert seen.first_time("a"), "the oldest id was forgotten"


def test_plain_text_of_slack_markup():
    text = "<@UBOT> wat is <https://x.nl|de site> van <#C1|hr> &amp; <@U2|bob>? <!here>"
    assert plain_text(text, bot_user_id="UBOT") == "wat is de site van #hr & @bob? @here"


def test_a_ticket_is_given_back_when_its_dispatch_ends_unless_a_question_claimed_it():
    order = ArrivalOrder(max_wait_s=600)
    pool = ListenerPool(quick_threads=1, answer_threads=1, arrivals=order)
    no_question, question, lost_question = order.take(), order.take(), order.take()
    listening, done = threading.Event(), threading.Event()
    with order.dispatching(no_question):
        pass
    with order.dispatching(question):
        assert order.claim() == question
        pool.answers.submit(question, lambda: listening.set() or done.wait(30))
    with order.dispatching(lost_question):
        assert order.claim() == lost_question  # claimed, but no listener took it up
    assert listening.wait(10)
    later = order.take()
    assert order.blocking(later, started=set()) == [question]  # only the real question holds later ones up
    done.set()
    pool.shutdown(wait=True)
    assert order.blocking(later, started=set()) == [], "its listener ended: the lane gave its ticket back"


def test_the_answer_lane_runs_in_ticket_order_and_waits_for_a_question_still_being_dispatched():
    order = ArrivalOrder(max_wait_s=600)
    pool = ListenerPool(quick_threads=1, answer_threads=1, arrivals=order)
    first, second, third = order.take(), order.take(), order.take()
    started: list[int] = []
    gate = threading.Event()

    def answer(ticket: int) -> None:
        started.append(ticket)
        with order.turn(ticket):  # submitted to the model: later questions may go on
            pass
        gate.wait(30)
    pool.route(third)
    done_third = pool.submit(answer, third)  # arrives first, but two tickets are still being dispatched
    pool.route(second)
    done_second = pool.submit(answer, second)
    assert started == [], "nothing starts while an earlier question may still come"
    with order.dispatching(first):  # not a question after all: given back when its dispatch ends
        pass
    gate.set()
    done_second.result(10), done_third.result(10)
    assert started == [second, third]
    pool.route(None)
    assert pool.submit(lambda: "snel").result(10) == "snel"  # the quick lane
    pool.shutdown(wait=True)
    assert pool.answers.threads() == 1


def test_a_question_whose_listener_never_reaches_the_model_gives_its_ticket_back_when_it_ends():
    """However a question's listener ends (no question after all, an empty one, an error before its
    turn), the answer lane gives its ticket back: the next question does not wait for it."""
    order = ArrivalOrder(max_wait_s=600)
    pool = ListenerPool(quick_threads=1, answer_threads=2, arrivals=order)
    silent, failing, later = order.take(), order.take(), order.take()
    turn_taken = threading.Event()

    def fail() -> None:
        raise RuntimeError("the listener broke before its turn")

    def answer_later() -> None:
        with order.turn(later):
            turn_taken.set()
    pool.answers.submit(silent, lambda: None)  # a listener that decided it was no question
    pool.answers.submit(failing, fail)
    pool.answers.submit(later, answer_later)
    assert turn_taken.wait(10), "the later question still waits for tickets no listener holds any more"
    pool.shutdown(wait=True)

