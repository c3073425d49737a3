"""Template jobs on tracked threads, and the message each one posts and replaces with its result.

`TemplateJobs` knows every job in progress. When Vraagbaak stops, a job still running gets the
grace time to finish; after that its placeholder says that Vraagbaak was restarted, so nobody is
left looking at "Ik maak je …" for ever. A form submitted while Vraagbaak is stopping is turned
down with a message. (What a job does is bot.slack.features.templates_posting.TemplatePoster.run.)
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.templates.template import Template

log = logging.getLogger(__name__)

NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
RESTARTED = (":warning: Vraagbaak werd herstart voordat je {title} klaar was; probeer het opnieuw "
             "(je ingevulde formulier is niet bewaard).")
REFUSED = (":warning: Vraagbaak wordt net herstart, dus je {title} kan ik nu niet maken. "
           "Probeer het over een minuut opnieuw.")


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

    def start(self, client: WebClient, job: TemplateJob,
              run: Callable[[RunningJob], None]) -> threading.Thread | None:
        """Runs `run` on a tracked thread; None: refused (stopping), and the user was told."""
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
                run(running)
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
