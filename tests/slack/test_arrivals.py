"""Arrival order of questions across listener threads, and once-only handling of retried events."""

from __future__ import annotations

import threading
import time

from bot.slack.arrivals import ArrivalOrder, SeenEvents
from bot.slack.conversation import plain_text


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
    lost, mine, next_one = order.take(), order.take(), order.take()
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
    order.release(lost)


def test_seen_events_are_bounded():
    seen = SeenEvents(capacity=3)
    assert seen.first_time("a") and not seen.first_time("a")
    for name in "bcd":
        assert seen.first_time(name)
    assert seen.first_time("a"), "the oldest id was forgotten"


def test_plain_text_of_slack_markup():
    text = "<@UBOT> wat is <https://x.nl|de site> van <#C1|hr> &amp; <@U2|bob>? <!here>"
    assert plain_text(text, bot_user_id="UBOT") == "wat is de site van #hr & @bob? @here"
