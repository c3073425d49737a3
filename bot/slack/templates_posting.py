"""Filling a submitted template in a background thread and posting the result: a placeholder at
once (with the queue place when the model is busy), replaced by the Block Kit result or a Dutch error.
The result goes to the channel the form was opened in, or to the user's DM."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import VraagbaakError
from bot.slack.blocks import escape
from bot.slack.replying import Question
from bot.slack.safe_text import neutralise
from bot.slack.template_blocks import fallback_text, to_blocks
from bot.templates.template import Template

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts

log = logging.getLogger(__name__)

NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
FAILED = "Sorry, er ging iets mis bij het maken van je {title}. De beheerder kan de details in het logboek vinden."


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


def start_job(parts: "SlackParts", client: WebClient, job: TemplateJob) -> threading.Thread:
    """Runs the job in its own thread (the modal was already acknowledged)."""
    thread = threading.Thread(target=run_job, args=(parts, client, job),
                              name=f"template-{job.template.name}", daemon=True)
    thread.start()
    return thread


def run_job(parts: "SlackParts", client: WebClient, job: TemplateJob) -> None:
    log.info("template %s asked by %s in %s", job.template.name, job.user, job.channel or "DM")
    title = job.template.title.lower()
    try:
        message = Placeholder.post(client, job, f":hourglass_flowing_sand: Ik maak je {title}…")
    except SlackApiError:
        log.exception("could not post the placeholder for template %s", job.template.name)
        return
    try:
        # The conversation the result lands in decides what may be searched (the DM, when the
        # bot could not post in the channel).
        in_dm = job.is_dm or message.channel != job.channel
        collections = parts.access.collections_for(None if in_dm else job.channel, is_dm=in_dm, user=job.user)
        if parts.ai_notice is not None:  # the AI notice, if this is their first contact (issue 16)
            parts.ai_notice.greet(Question(text=" ".join(str(v) for v in job.values.values() if v),
                                               user=job.user, channel=message.channel, is_dm=in_dm), client)
        result = parts.template_filler().fill(job.template, job.values, collections=collections,
                                              on_queued=message.queued)
        message.update(text=fallback_text(result),
                       blocks=to_blocks(result, intro=f"<@{job.user}> vroeg om deze {title}."))
    except VraagbaakError as exc:
        log.warning("template %s failed: %s", job.template.name, exc)
        message.update(text=neutralise(escape(f"Sorry, je {title} lukte niet: {exc}")))
    except Exception:
        log.exception("template %s failed", job.template.name)
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
