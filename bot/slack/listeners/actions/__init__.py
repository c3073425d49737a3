"""Action listeners (buttons in messages, the Home tab and DMs), one module per button or pair of
buttons that do one job."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features.curated_answers import CurationRights
from bot.slack.listeners.actions import (ask_colleague, claim_question, curated_review, feedback, home_curated_answer,
                                         home_reindex, share_in_channel, share_in_thread)
from bot.slack.parts import SlackParts
from bot.slack.ui.home import HomeTab


def register(app: App, parts: SlackParts, home: HomeTab, rights: CurationRights) -> None:
    home_reindex.register(app, parts, home)
    home_curated_answer.register(app, parts, home)
    share_in_channel.register(app, parts)
    feedback.register(app, parts)
    share_in_thread.register(app, parts)
    ask_colleague.register(app, parts)
    claim_question.register(app, parts)
    curated_review.register(app, parts, rights)
