"""Questions kept in the database from their arrival until answered (bot/storage/queue.py), so that
replicas answer each question once and a replica that dies while answering loses none.

In Socket Mode a mention or direct message is offered to the queue before Bolt acknowledges its
envelope (bot/slack/transport/serving.py); one offered before (Slack's retry, here or on another
replica) is acknowledged and dropped. The listener then claims the oldest question that no replica
holds (its own, or one a dead replica left behind) and answers it, while a keeper renews the lease;
a sweeper claims the questions whose lease expired when no new question comes to do so. A replica
can die after its answer reached Slack but before the queue heard so: a question claimed again
is first looked up in its thread, and one already answered there is only marked done.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.slack.answer_flow.conversation import is_question_event

if TYPE_CHECKING:
    from bot.storage.queue import Claim, QuestionQueue

log = logging.getLogger(__name__)

AnswerEvent = Callable[[str, dict[str, Any], "int | None"], None]  # kind, event, arrival ticket
AnsweredInSlack = Callable[[dict[str, Any]], bool]  # whether the event's thread holds our answer


def question_kind(event: dict[str, Any]) -> str | None:
    """`mention` or `dm` for the events the queue keeps; None for every other event."""
    if not is_question_event(event):
        return None
    if event.get("type") == "app_mention":
        return "mention"
    if event.get("type") == "message" and event.get("channel_type") == "im":
        return "dm"
    return None


class DurableQuestions:
    """The answer lane's side of the question queue; `answer_event` answers one claimed event."""

    def __init__(self, queue: "QuestionQueue", answer_event: AnswerEvent, answered: AnsweredInSlack, *,
                 worker: str | None = None, sweep_s: float | None = None) -> None:
        self.queue = queue
        self.answer_event, self.answered = answer_event, answered
        self.worker = worker or f"{socket.gethostname()}-{os.getpid()}"
        self.sweep_s = sweep_s if sweep_s is not None else max(1.0, queue.lease_s / 4)
        self._offered: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def offer(self, payload: dict[str, Any]) -> bool:
        """Before the envelope is acknowledged; False: a question already offered, to be dropped. A
        database that cannot be written leaves the question to this replica alone (logged)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), dict):
            return True  # not a question; Bolt acknowledges (or refuses) it as it is
        event, event_id = payload["event"], payload.get("event_id")
        kind = question_kind(event)
        if kind is None or not event_id:
            return True
        try:
            added = self.queue.offer(event_id, event["user"], {"kind": kind, "event": event})
        except Exception:
            log.exception("the question queue could not be written; answering %s without it", event_id)
            return True
        if added:
            with self._lock:
                self._offered.add(event_id)
        return added

    def holds(self, event_id: str | None) -> bool:
        """Whether this event was offered here, so that its listener answers through the queue (the
        question it claims may be another; this one may have been claimed already). Asked once."""
        with self._lock:
            if event_id not in self._offered:
                return False
            self._offered.discard(event_id)
            return True

    def answer_next(self, ticket: int | None) -> bool:
        """Claims the oldest question no replica holds and answers it; False when there was none."""
        claim = self.queue.claim(self.worker)
        if claim is None:
            return False
        self._answer(claim, ticket)
        return True

    def _answer(self, claim: "Claim", ticket: int | None) -> None:
        if claim.attempt > 1 and self._answered(claim):
            log.info("question %s was answered before its replica stopped; marked done", claim.event_id)
            self.queue.complete(claim)
            return
        keeper = threading.Event()
        renewer = threading.Thread(target=self._keep, args=(claim, keeper), daemon=True, name="lease keeper")
        renewer.start()
        try:
            self.answer_event(claim.payload["kind"], claim.payload["event"], ticket)
        finally:
            keeper.set()
            renewer.join()
        if not self.queue.complete(claim):
            log.warning("question %s was taken over by another replica while this one answered it", claim.event_id)

    def _answered(self, claim: "Claim") -> bool:
        try:
            return self.answered(claim.payload["event"])
        except Exception:  # cannot tell: answering twice beats not answering
            log.exception("could not look up question %s in Slack", claim.event_id)
            return False

    def _keep(self, claim: "Claim", done: threading.Event) -> None:
        while not done.wait(self.queue.lease_s / 3):
            try:
                if not self.queue.renew(claim):
                    log.warning("lost the lease of question %s", claim.event_id)
                    return
            except Exception:
                log.exception("renewing the lease of question %s failed", claim.event_id)

    def start(self) -> Callable[[], None]:
        """The sweeper, in a thread of its own; returns how to stop it."""
        thread = threading.Thread(target=self._sweep, daemon=True, name="question sweeper")
        thread.start()

        def stop() -> None:
            self._stop.set()
            thread.join(self.sweep_s + 5)
        return stop

    def _sweep(self) -> None:
        while not self._stop.wait(self.sweep_s):
            try:
                while not self._stop.is_set() and self.answer_next(None):
                    pass
            except Exception:
                log.exception("taking over questions from the queue failed")
