"""Questions kept in the database from their arrival until answered (bot/storage/queue.py), so that
replicas answer each question once and a replica that dies while answering loses none.

Every way a question arrives is offered to the queue before Slack hears that it was received (the
transport's middleware, bot/slack/transport/app.py, in Socket Mode and over HTTP alike): an
@mention, a direct message, a follow-up in a channel thread Vraagbaak answers in, `/vraag` and the
message shortcut. One offered before (Slack's retry, here or on another replica) is acknowledged and
dropped. The listener then claims the oldest question that no replica holds (its own, or one a dead
replica left behind) and answers it, while a keeper renews the lease (`Lease`): a replica that finds
its question taken over by another (it hung past its lease) cancels its generation and posts nothing
more, leaving the answer to the taker. A sweeper claims the questions whose lease expired when no
new question comes to do so. A replica can die after its answer reached
Slack but before the queue heard so: a question claimed again is first looked up in its thread, and
one already answered there is only marked done; else what the dead replica had written of its answer
is closed with a note that the full answer follows (bot/slack/answer_flow/interrupted.py).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.slack.answer_flow.conversation import is_question_event
from bot.slack.answer_flow.sessions import Cancellable, StopRequest

if TYPE_CHECKING:
    from bot.storage.queue import Claim, QuestionQueue

log = logging.getLogger(__name__)

AnswerRequest = Callable[[str, dict[str, Any], "int | None", "Lease"], None]  # kind, request, arrival ticket, lease
AnsweredInSlack = Callable[[str, dict[str, Any]], bool]  # whether the request's thread holds our answer
# Closes what a replica that died left half written for the request (kind, request); how many messages.
CloseInterrupted = Callable[[str, dict[str, Any]], int]
# Which kind of question a request is (`mention`, `dm`, `follow_up`, `command`, `shortcut`), or None
# for any other request; given the request's body and the bot's user id.
QuestionKind = Callable[[dict[str, Any], "str | None"], "str | None"]
EVENT_KINDS = {"mention", "dm", "follow_up"}  # answered in a thread that can be read back


def event_kind(event: dict[str, Any]) -> str | None:
    """`mention` or `dm` for a person's question event; None for every other event."""
    if not is_question_event(event):
        return None
    if event.get("type") == "app_mention":
        return "mention"
    if event.get("type") == "message" and event.get("channel_type") == "im":
        return "dm"
    return None


def question_key(kind: str, body: dict[str, Any]) -> str | None:
    """What makes a request one question across deliveries: the event_id of an event (the same in
    every retry), the trigger_id of a command or shortcut (the same in every delivery of it)."""
    key = body.get("event_id") if kind in EVENT_KINDS else body.get("trigger_id")
    return str(key) if key else None


def question_of(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the queue keeps of a request: an event's event, a command's or shortcut's whole body."""
    return body["event"] if kind in EVENT_KINDS else body


def asker_of(request: dict[str, Any]) -> str:
    user = request.get("user")
    if isinstance(user, dict):  # a shortcut's
        return str(user.get("id") or "")
    return str(user or request.get("user_id") or "")


class Lease:
    """A question this replica claimed and answers. A keeper renews it; the answer flow asks `held()`
    before the post that finishes the answer. Once another replica has taken the question over (this
    one hung, or its database connection did, past the lease), `lost` is set and whatever was
    attached (the generation) is cancelled: the answer is left to the taker."""

    def __init__(self, queue: "QuestionQueue", claim: "Claim") -> None:
        self.queue, self.claim = queue, claim
        self.key = claim.event_id
        self._lost = StopRequest()

    @property
    def lost(self) -> bool:
        return self._lost.stopped

    def attach(self, work: Cancellable) -> None:
        """`work` is cancelled when the lease is lost (at once if it was already)."""
        self._lost.attach(work)

    def held(self) -> bool:
        """Still this replica's question (and renewed for lease_s more seconds)? A database that
        cannot be asked counts as held: no other replica can take it over through it either."""
        if self.lost:
            return False
        try:
            if self.queue.renew(self.claim):
                return True
        except Exception:
            log.exception("renewing the lease of question %s failed", self.key)
            return True
        log.warning("question %s was taken over by another replica; this one stops answering it", self.key)
        self._lost.stop()
        return False


class DurableQuestions:
    """The answer lane's side of the question queue; `answer_request` answers one claimed question."""

    def __init__(self, queue: "QuestionQueue", answer_request: AnswerRequest, answered: AnsweredInSlack, *,
                 kind_of: QuestionKind = lambda body, bot_user_id: None,
                 close_interrupted: CloseInterrupted = lambda kind, request: 0, worker: str | None = None,
                 sweep_s: float | None = None) -> None:
        self.queue = queue
        self.answer_request, self.answered, self.kind_of = answer_request, answered, kind_of
        self.close_interrupted = close_interrupted
        self.worker = worker or f"{socket.gethostname()}-{os.getpid()}"
        self.sweep_s = sweep_s if sweep_s is not None else max(1.0, queue.lease_s / 4)
        self._offered: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def offer(self, body: dict[str, Any], bot_user_id: str | None = None) -> bool:
        """Before the request is acknowledged; False: a question already offered, to be dropped. A
        database that cannot be written leaves the question to this replica alone (logged)."""
        kind = self.kind_of(body, bot_user_id) if isinstance(body, dict) else None
        key = question_key(kind, body) if kind is not None else None
        if kind is None or key is None:
            return True  # not a question; Bolt acknowledges (or refuses) it as it is
        request = question_of(kind, body)
        try:
            added = self.queue.offer(key, asker_of(request), {"kind": kind, "request": request})
        except Exception:
            log.exception("the question queue could not be written; answering %s without it", key)
            return True
        if added:
            with self._lock:
                self._offered.add(key)
        return added

    def holds(self, key: str | None) -> bool:
        """Whether this request (by its event_id or trigger_id) was offered here, so that its listener
        answers through the queue (the question it claims may be another; this one may have been
        claimed already). Asked once."""
        with self._lock:
            if key not in self._offered:
                return False
            self._offered.discard(key)
            return True

    def answer_next(self, ticket: int | None) -> bool:
        """Claims the oldest question no replica holds and answers it; False when there was none."""
        claim = self.queue.claim(self.worker)
        if claim is None:
            return False
        self._answer(claim, ticket)
        return True

    def _answer(self, claim: "Claim", ticket: int | None) -> None:
        if claim.attempt > 1:
            if self._answered(claim):
                log.info("question %s was answered before its replica stopped; marked done", claim.event_id)
                self.queue.complete(claim)
                return
            self._close_interrupted(claim)
        lease = Lease(self.queue, claim)
        keeper = threading.Event()
        renewer = threading.Thread(target=self._keep, args=(lease, keeper), daemon=True, name="lease keeper")
        renewer.start()
        try:
            self.answer_request(claim.payload["kind"], _request(claim), ticket, lease)
        finally:
            keeper.set()
            renewer.join()
        if not lease.lost and not self.queue.complete(claim):
            log.warning("question %s was taken over by another replica as this one finished it", claim.event_id)

    def _close_interrupted(self, claim: "Claim") -> None:
        try:
            closed = self.close_interrupted(claim.payload["kind"], _request(claim))
        except Exception:  # a half answer left standing beats no answer
            log.exception("could not close what question %s's first replica had written", claim.event_id)
            return
        if closed:
            log.info("question %s: %d message(s) its first replica left unfinished closed", claim.event_id, closed)

    def _answered(self, claim: "Claim") -> bool:
        try:
            return self.answered(claim.payload["kind"], _request(claim))
        except Exception:  # cannot tell: answering twice beats not answering
            log.exception("could not look up question %s in Slack", claim.event_id)
            return False

    @staticmethod
    def _keep(lease: Lease, done: threading.Event) -> None:
        while not done.wait(lease.queue.lease_s / 3):
            if not lease.held():
                return

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


def _request(claim: "Claim") -> dict[str, Any]:
    """The question's request; rows offered before commands and shortcuts were kept call it `event`."""
    return claim.payload.get("request") or claim.payload["event"]
