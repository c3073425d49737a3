"""Filling a submitted template in a background thread and posting the result: a placeholder at
once (with the queue place when the model is busy), replaced by the Block Kit result or a Dutch error.
The result goes to the channel the form was opened in, or to the user's DM. Jobs run on threads
that bot.slack.features.template_jobs.TemplateJobs tracks, so that a shutdown finishes or cleans them up."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import VraagbaakError
from bot.slack.ui.blocks import escape
from bot.slack.answer_flow.replying import Question
from bot.slack.ui.safe_text import neutralise
from bot.slack.ui.template_blocks import fallback_text, to_blocks
from bot.slack.features.template_jobs import RunningJob, TemplateJob, TemplateJobs

if TYPE_CHECKING:
    from bot.access.policy import Access
    from bot.slack.features.ai_notice import AiNotice
    from bot.templates.filling import TemplateFiller

log = logging.getLogger(__name__)

FAILED = "Sorry, er ging iets mis bij het maken van je {title}. De beheerder kan de details in het logboek vinden."


class TemplatePoster:
    """Fills submitted templates, each on a thread that `jobs` tracks. `filler` is called when a job
    runs (the filler needs the language model); `ai_notice` greets who asks for the first time."""

    def __init__(self, jobs: TemplateJobs, access: "Access", filler: Callable[[], "TemplateFiller"],
                 ai_notice: "AiNotice | None" = None) -> None:
        self.jobs = jobs
        self.access = access
        self.filler = filler
        self.ai_notice = ai_notice

    def start(self, client: WebClient, job: TemplateJob) -> threading.Thread | None:
        """Runs the job on a tracked thread (the modal was already acknowledged); None: refused,
        because Vraagbaak is stopping (the user was told)."""
        return self.jobs.start(client, job, lambda running: self.run(client, job, running))

    def run(self, client: WebClient, job: TemplateJob, running: RunningJob | None = None) -> None:
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
            collections = self.access.collections_for(None if in_dm else job.channel, is_dm=in_dm, user=job.user)
            if self.ai_notice is not None:  # the AI notice, if this is their first contact
                self.ai_notice.greet(Question(text=" ".join(str(v) for v in job.values.values() if v),
                                              user=job.user, channel=message.channel, is_dm=in_dm), client)
            result = self.filler().fill(job.template, job.values, collections=collections,
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
