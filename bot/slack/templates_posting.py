"""Filling a submitted template in a background thread and posting the result: a placeholder at
once (with the queue place when the model is busy), replaced by the Block Kit result or a Dutch error.
The result goes to the channel the form was opened in, or to the user's DM.

Every job runs on a thread that `TemplateJobs` keeps track of. When Vraagbaak stops, a job still
running gets the grace time to finish; after that its placeholder says that Vraagbaak was
restarted, so nobody is left looking at "Ik maak je …" for ever. A form submitted while Vraagbaak
is stopping is turned down with a message."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import VraagbaakError
from bot.slack.blocks import escape
from bot.slack.safe_text import neutralise
from bot.slack.template_blocks import fallback_text, to_blocks
from bot.templates.template import Template

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts

log = logging.getLogger(__name__)

NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
FAILED = "Sorry, er ging iets mis bij het maken van je {title}. De beheerder kan de details in het logboek vinden."
RESTARTED = (":warning: Vraagbaak werd herstart voordat je {title} klaar was; probeer het opnieuw "
             "(je ingevulde formulier is niet bewaard).")
REFUSED = ":warning: Vraagbaak wordt net herstart, dus je {title} kan ik nu niet maken. Probeer het over een minuut opnieuw."


@dataclass(frozen=True)
class TemplateJob:
    """One submitted form: what to fill and where the result goes."""

    template: Template
    values: dict[str, Any]
    user: str
    channel: str  # empty: the user's DM

    @property
    def is_dm(self) -> bool:
        return not self.channel or self.channel.startswith("D")


def start_job(parts: "SlackParts", client: WebClient, job: TemplateJob) -> threading.Thread | None:
    """Runs the job on a tracked thread (the modal was already acknowledged); None: refused,
    because Vraagbaak is stopping (the user was told)."""
    return parts.template_jobs.start(parts, client, job)


class RunningJob:
    """One job on its thread: its placeholder once posted; finished or given up, never both."""

    def __init__(self, job: TemplateJob) -> None:
        self.job = job
        self.message: "Placeholder | None" = None
        self.given_up = False
        self.finished = False
        self.lock = threading.Lock()

    def post_placeholder(self, client: WebClient, text: str) -> "Placeholder | None":
        with self.lock:
            if self.given_up:
                return None
            self.message = Placeholder.post(client, self.job, text)
            return self.message

    def finish(self) -> bool:
        """True: the result may replace the placeholder (the job was not given up meanwhile)."""
        with self.lock:
            if self.given_up:
                return False
            self.finished = True
            return True

    def give_up(self, client: WebClient) -> bool:
        """At shutdown: the placeholder (or, if none was posted yet, a new message) says so."""
        with self.lock:
            if self.finished:
                return False
            self.given_up = True
            message = self.message
        text = RESTARTED.format(title=self.job.template.title.lower())
        try:
            if message is not None:
                message.update(text=text)
            else:
                Placeholder.post(client, self.job, text)
        except SlackApiError:
            log.exception("could not tell %s that template %s was stopped", self.job.user, self.job.template.name)
        return True


class TemplateJobs:
    """The template jobs in progress (thread-safe); one instance serves all listeners."""

    def __init__(self) -> None:
        self._running: dict[int, tuple[RunningJob, WebClient]] = {}
        self._ids = itertools.count(1)
        self._closing = False
        self._changed = threading.Condition()

    def start(self, parts: "SlackParts", client: WebClient, job: TemplateJob) -> threading.Thread | None:
        with self._changed:
            closing = self._closing
            if not closing:
                number, running = next(self._ids), RunningJob(job)
                self._running[number] = (running, client)
        if closing:
            log.info("template %s from %s refused: stopping", job.template.name, job.user)
            try:
                Placeholder.post(client, job, REFUSED.format(title=job.template.title.lower()))
            except SlackApiError:
                log.exception("could not tell %s that template %s was refused", job.user, job.template.name)
            return None

        def work() -> None:
            try:
                run_job(parts, client, job, running)
            finally:
                with self._changed:
                    self._running.pop(number, None)
                    self._changed.notify_all()
        thread = threading.Thread(target=work, name=f"template-{job.template.name}", daemon=True)
        thread.start()
        return thread

    def running(self) -> int:
        with self._changed:
            return len(self._running)

    def close(self, grace_s: float) -> int:
        """Refuses new jobs, waits up to `grace_s` for the running ones, then gives up on the
        rest (their placeholders say so); returns how many were given up."""
        with self._changed:
            self._closing = True
            self._changed.wait_for(lambda: not self._running, timeout=max(grace_s, 0.0))
            left = list(self._running.values())
        given_up = sum(running.give_up(client) for running, client in left)
        if given_up:
            log.warning("stopped while %d template job(s) were still running; their users were told", given_up)
        return given_up


def run_job(parts: "SlackParts", client: WebClient, job: TemplateJob, running: RunningJob | None = None) -> None:
    running = running or RunningJob(job)
    log.info("template %s asked by %s in %s", job.template.name, job.user, job.channel or "DM")
    title = job.template.title.lower()
    try:
        message = running.post_placeholder(client, f":hourglass_flowing_sand: Ik maak je {title}…")
    except SlackApiError:
        log.exception("could not post the placeholder for template %s", job.template.name)
        return
    if message is None:
        return
    try:
        # The conversation the result lands in decides what may be searched (the DM, when the
        # bot could not post in the channel).
        in_dm = job.is_dm or message.channel != job.channel
        collections = parts.access.collections_for(None if in_dm else job.channel, is_dm=in_dm, user=job.user)
        result = parts.template_filler().fill(job.template, job.values, collections=collections,
                                              on_queued=message.queued)
        if running.finish():
            message.update(text=fallback_text(result),
                           blocks=to_blocks(result, intro=f"<@{job.user}> vroeg om deze {title}."))
    except VraagbaakError as exc:
        log.warning("template %s failed: %s", job.template.name, exc)
        if running.finish():
            message.update(text=neutralise(escape(f"Sorry, je {title} lukte niet: {exc}")))
    except Exception:
        log.exception("template %s failed", job.template.name)
        if running.finish():
            message.update(text=FAILED.format(title=title))


class Placeholder:
    """The message that becomes the result; posted in the channel, else in the user's DM."""

    def __init__(self, client: WebClient, job: TemplateJob, channel: str, ts: str) -> None:
        self.client, self.job, self.channel, self.ts = client, job, channel, ts

    @classmethod
    def post(cls, client: WebClient, job: TemplateJob, text: str) -> "Placeholder":
        if job.channel:
            try:
                response = client.chat_postMessage(channel=job.channel, text=text)
                return cls(client, job, str(response["channel"]), str(response["ts"]))
            except SlackApiError as exc:
                if exc.response.get("error") not in NOT_POSTABLE:
                    raise
                log.info("cannot post in %s (%s); using the DM", job.channel, exc.response.get("error"))
                text = (f"Ik kan niet in <#{job.channel}> posten (ben ik daar lid?), daarom komt je "
                        f"{job.template.title.lower()} hier.\n{text}")
        response = client.chat_postMessage(channel=job.user, text=text)
        return cls(client, job, str(response["channel"]), str(response["ts"]))

    def queued(self, position: int) -> None:
        if position > 0:
            self.update(text=f":hourglass_flowing_sand: Het is even druk: je bent de {position + 1}e in de rij. "
                             f"Je {self.job.template.title.lower()} komt zodra het taalmodel vrij is.")

    def update(self, *, text: str, blocks: list[dict] | None = None) -> None:
        try:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=blocks or [])
        except SlackApiError:
            log.exception("could not update the template message %s in %s", self.ts, self.channel)
