"""Action listeners (buttons in messages, the Home tab and DMs), one module per button or pair of
buttons that do one job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.actions import (ask_colleague, claim_question, curated_review, feedback, home_curated_answer,
                                         home_reindex, share_in_channel, share_in_thread)

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts


def register(app: App, parts: "SlackParts") -> None:
    home_reindex.register(app, admins=parts.admins, home=parts.home, reindex_jobs=parts.reindex_jobs)
    home_curated_answer.register(app, admins=parts.admins, home=parts.home, curated=parts.curated)
    share_in_channel.register(app, feedback=parts.feedback, routes=parts.routes)
    feedback.register(app, feedback=parts.feedback)
    share_in_thread.register(app, feedback=parts.feedback, threads=parts.threads, routes=parts.routes)
    ask_colleague.register(app, feedback=parts.feedback, access=parts.access, routes=parts.routes,
                           sent=parts.sent_to_colleagues)
    claim_question.register(app)
    curated_review.register(app, curated=parts.curated, rights=parts.rights)
