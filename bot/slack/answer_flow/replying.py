"""The answer flow every entry point shares: show thinking, keep arrival order, show what was found
as soon as it is found, tell the queue place, stream the answer, finish with Block Kit, store it for
feedback — and never let an error reach the user as anything but a short Dutch message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.types import Answer, Turn
from bot.errors import VraagbaakError
from bot.operations.observers import Observers
from bot.slack.features.escalation import NO_ROUTES, EscalationRoutes
from bot.slack.transport.arrivals import ArrivalOrder
from bot.slack.ui.blocks import escape
from bot.slack.answer_flow.delivery import TEXTS, Delivery, EphemeralReply, UpdatedReply
from bot.slack.answer_flow.sessions import AgentSession, RunningAnswers, StopRequest
from bot.slack.answer_flow.streaming import StreamedReply, StreamingSupport
from bot.slack.ui.safe_text import neutralise
from language.detection import detect_language

if TYPE_CHECKING:
    from bot.access.policy import Access
    from bot.answering.engine import AnswerEngine
    from bot.insights.feedback import FeedbackStore
    from bot.operations.metrics import Metrics
    from bot.slack.answer_flow.durable import Lease

log = logging.getLogger(__name__)

THINKING_STATUS = "denkt na…"
THINKING_REACTION = "hourglass_flowing_sand"
SORRY = ("Sorry, er ging iets mis bij het beantwoorden van je vraag. Probeer het zo nog eens; "
         "blijft het misgaan, meld het dan bij de beheerder van Vraagbaak.")


@dataclass(frozen=True)
class Question:
    """A question as it arrived from Slack, and where its answer goes."""

    text: str
    user: str
    channel: str
    team: str | None = None
    message_ts: str | None = None  # the user's message: the reaction goes here
    thread_ts: str | None = None  # the thread the answer goes in; None: top level of a DM
    is_dm: bool = False
    assistant_thread: bool = False  # the app's Messages tab (agent or assistant view): no reaction
    ticket: int | None = None  # arrival order (bot.slack.transport.arrivals)
    viewing: str | None = None  # a DM: the channel the user is looking at (narrows its collections)
    lease: "Lease | None" = None  # held while it is answered, when it came through the durable question queue



def tell_privately(respond: Callable[..., Any], text: str) -> None:
    """A short private note to whoever clicked or used a shortcut, next to what they see."""
    respond(text=text, response_type="ephemeral", replace_original=False)


class Indicator:
    """Shows that the bot is working: the thread's agent session (an app declared as an agent: its
    Messages tab and the threads it answers in channels), the assistant status (the older assistant
    view's threads), or else a reaction on the question."""

    def __init__(self, client: WebClient, question: Question, *, agent_view: bool = True,
                 private: bool = False) -> None:
        self.client, self.question = client, question
        in_thread = question.thread_ts is not None and not private
        self.session = AgentSession(client, channel=question.channel, thread_ts=str(question.thread_ts),
                                    user=question.user) if in_thread and agent_view else None
        self.assistant_status = in_thread and question.assistant_thread and not agent_view
        self.reacted = False
        self.status_shown = False
        self.session_shown = False

    def show(self) -> None:
        q = self.question
        if self.session is not None:
            self.session_shown = self.session.processing(q.text)
            if self.session_shown:
                return
        if self.assistant_status:
            self.status_shown = self._set_status(THINKING_STATUS)
            if self.status_shown:
                return
        if q.message_ts:
            self.reacted = self._call(self.client.reactions_add, channel=q.channel,
                                      timestamp=q.message_ts, name=THINKING_REACTION)

    def queued(self, position: int) -> None:
        if self.status_shown:
            self._set_status(f"wacht op zijn beurt ({position + 1}e in de rij)…")

    def clear(self, *, thread_busy: bool = False) -> None:
        """Takes the indicator away; a session stays processing while `thread_busy` (another
        answer in its thread is still being written, and moves it on when it ends)."""
        q = self.question
        if self.session is not None and self.session_shown and not thread_busy:
            self.session.active()
        if self.reacted:
            self._call(self.client.reactions_remove, channel=q.channel, timestamp=q.message_ts,
                       name=THINKING_REACTION)
        if self.status_shown:
            self._set_status("")

    def _set_status(self, status: str) -> bool:
        return self._call(self.client.assistant_threads_setStatus, channel_id=self.question.channel,
                          thread_ts=self.question.thread_ts, status=status)

    @staticmethod
    def _call(method: Callable[..., Any], **kwargs: Any) -> bool:
        try:
            method(**kwargs)
            return True
        except SlackApiError as exc:  # a missing hourglass must never cost an answer
            log.info("%s failed: %s", getattr(method, "__name__", "call"), exc.response.get("error"))
        except Exception:
            log.warning("%s failed", getattr(method, "__name__", "call"), exc_info=True)
        return False


class Replier:
    """Answers questions from Slack; one instance serves all listeners (thread-safe)."""

    def __init__(self, engine: Callable[[], "AnswerEngine"], feedback: "FeedbackStore",
                 access: "Access", arrivals: ArrivalOrder, metrics: "Metrics", *,
                 routes: EscalationRoutes = NO_ROUTES, update_interval_s: float = 1.0,
                 streaming: StreamingSupport | None = None, agent_view: bool = True,
                 places: Callable[[str], int] | None = None) -> None:
        """`engine` is called per question (the models load at start-up, or at the first question
        where nothing loaded them); `access` says what a conversation may search; `routes` where
        "Vraag een collega" goes; `agent_view` whether the app's Messages tab is Slack's agent
        messaging view (agent sessions) or the older assistant view (assistant status); `places`
        the durable question queue's count of questions before one (by its key), which sees every
        replica's questions where this process's model queue sees only its own."""
        self.engine = engine
        self.feedback = feedback
        self.access = access
        self.arrivals = arrivals
        self.metrics = metrics
        self.routes = routes
        self.update_interval_s = update_interval_s
        self.streaming = streaming or StreamingSupport()
        self.agent_view = agent_view
        self.places = places
        self.running = RunningAnswers()
        self._in_flight = 0
        self._idle = threading.Condition()
        # Before each question is answered (the AI notice at first contact, features/ai_notice.py) and
        # when an answer is written, before the asker sees its final message (the threads to follow,
        # features/followed_threads.py: a reply may come at once); a failing observer never costs the answer.
        self.asking: Observers[[Question, WebClient, Callable[..., Any] | None]] = Observers("question asked")
        self.answered: Observers[[Question]] = Observers("question answered")

    def wait_until_idle(self, timeout: float) -> bool:
        """Until no answer is being written (for a graceful shutdown); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def stop(self, client: WebClient, *, channel: str, thread_ts: str) -> int:
        """Someone clicked the stop button of the thread's session: the answers being written
        there stop (each closes its own message and moves the session on); with none running, the
        session is moved on here, since Slack leaves it processing. Returns how many stopped."""
        stopped = self.running.stop(channel, thread_ts)
        if stopped == 0:
            AgentSession(client, channel=channel, thread_ts=thread_ts, user="").active()
        log.info("stop asked in %s/%s: %d answer(s) stopped", channel, thread_ts, stopped)
        return stopped

    def delivery_for(self, question: Question, client: WebClient,
                     respond: Callable[..., Any] | None = None, *,
                     in_session: Callable[[], bool] = lambda: False) -> Delivery:
        language = detect_language(question.text)
        if respond is not None:
            return EphemeralReply(respond, question=question.text, language=language, routes=self.routes)
        if question.thread_ts is None:
            return UpdatedReply(client, channel=question.channel, thread_ts=None,
                                interval_s=self.update_interval_s, language=language, routes=self.routes)
        return StreamedReply(client, channel=question.channel, thread_ts=question.thread_ts,
                             user=question.user, team=question.team, support=self.streaming,
                             interval_s=self.update_interval_s, language=language, routes=self.routes,
                             in_session=in_session)

    def reply(self, question: Question, client: WebClient, *,
              history: Callable[[], Sequence[Turn]] = tuple,
              respond: Callable[..., Any] | None = None) -> None:
        """Answers one question completely; returns when the final message is posted."""
        indicator = Indicator(client, question, agent_view=self.agent_view, private=respond is not None)
        delivery = self.delivery_for(question, client, respond, in_session=lambda: indicator.session_shown)
        entry_point = "slash" if respond is not None else "dm" if question.is_dm else "mention"
        with self._idle:
            self._in_flight += 1
        try:
            with self.running.running(question.channel, question.thread_ts) as stop:
                indicator.show()
                self.asking.notify(question, client, respond)
                delivery.thinking()
                answer = self._answer(question, delivery, indicator, history, stop)
            if answer is not None:
                self.metrics.observe_answer(entry_point, abstained=answer.abstained, cached=answer.cached,
                                            total_s=answer.timings.get("total_s"),
                                            first_token_s=answer.timings.get("first_token_s"))
        except VraagbaakError as exc:
            self.metrics.observe_failed_question(entry_point)
            log.warning("question from %s in %s not answered: %s", question.user, question.channel, exc)
            self._tell(delivery, f"Sorry, dat lukte niet: {exc}")
        except Exception:
            self.metrics.observe_failed_question(entry_point)
            log.exception("question from %s in %s failed", question.user, question.channel)
            self._tell(delivery, SORRY)
        finally:
            indicator.clear(thread_busy=self.running.busy(question.channel, question.thread_ts))
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _answer(self, question: Question, delivery: Delivery, indicator: Indicator,
                history: Callable[[], Sequence[Turn]], stop: StopRequest) -> Answer | None:
        """The answer, written and stored; None when the asker stopped it (what was written stays,
        with a note, and nothing is stored)."""
        turns = list(history())
        collections = self.access.collections_for(question.channel, is_dm=question.is_dm, user=question.user,
                                                  viewing=question.viewing)
        readers = self.access.readers_for(is_dm=question.is_dm, user=question.user)
        with self.arrivals.turn(question.ticket):
            stream = self.engine().ask(question.text, history=turns, collections=collections, readers=readers)
        stop.attach(stream)  # a stop cancels the generation: the next token, or its place in the queue
        lease = question.lease
        if lease is not None:
            lease.attach(stream)  # so does another replica taking the question over
        if stop.stopped:
            self.answered.notify(question)
            self._stopped(question, delivery)
            return None
        # Known right after retrieval, long before the model's first token: show it now.
        delivery.searched(stream.found, stream.preview, abstained=stream.abstained)
        position = self._place(question, stream.position())
        if position > 0:
            indicator.queued(position)
            delivery.queued(position)
        for delta in stream:
            if stop.stopped or (lease is not None and lease.lost):
                break
            delivery.write(delta)
            if delivery.halted:  # the stop button, seen before its event (or by another replica)
                stop.stop()
        if lease is not None and not lease.held():
            log.info("answer for %s in %s left to the replica that took the question over", question.user,
                     question.channel)
            return None  # nothing more is posted: the taker answers, and tidies what was written here
        if stop.stopped:
            self.answered.notify(question)
            self._stopped(question, delivery)
            return None
        answer = stream.result()
        answer_id = self.feedback.record_answer(
            question=question.text, answer=answer.text, sources=list(answer.sources),
            user=question.user, channel=question.channel, abstained=answer.abstained)
        # The observers hear of the answer before the asker sees it: a reply to it may arrive at
        # once, and the thread must be followed by then.
        self.answered.notify(question)
        delivery.finish(answer, answer_id)
        log.info("answered %s in %s (%d sources, %.1f s)", question.user, question.channel,
                 len(answer.sources), answer.timings.get("total_s", 0.0))
        return answer

    def _place(self, question: Question, local: int) -> int:
        """How many questions are answered before this one: told only while the model here makes it
        wait (`local` > 0), counted in the question queue when it came through it."""
        if local <= 0 or self.places is None or question.lease is None:
            return local
        try:
            return max(1, self.places(question.lease.key))
        except Exception:
            log.warning("the queue place of %s could not be read; told this replica's", question.lease.key,
                        exc_info=True)
            return local

    @staticmethod
    def _stopped(question: Question, delivery: Delivery) -> None:
        delivery.stopped(TEXTS[detect_language(question.text)]["stopped"])
        log.info("answer for %s in %s stopped at their request", question.user, question.channel)

    @staticmethod
    def _tell(delivery: Delivery, message: str) -> None:
        try:
            delivery.fail(neutralise(escape(message)))  # an error may quote a document or the model
        except Exception:
            log.exception("could not tell the user that answering failed")
