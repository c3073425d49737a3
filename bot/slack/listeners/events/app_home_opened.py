"""`app_home_opened`: the Messages tab and the Home tab of the app.

Messages tab (agent view: the DM-open signal, which replaces assistant_thread_started): a person is
greeted once, with the suggested prompts pinned to the tab (bot/slack/features/greeting.py). Opening
it again does nothing. Home tab: published per person (bot/slack/ui/home.py); its buttons are
actions (listeners/actions/home_reindex.py, home_curated_answer.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.people.first_contact import OncePerPerson
from bot.slack.features.greeting import greet_once
from bot.slack.ui.home import HomeTab

log = logging.getLogger(__name__)


def register(app: App, *, greeted: OncePerPerson, home: HomeTab) -> None:
    @app.event("app_home_opened")
    def on_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        user, tab = event.get("user"), event.get("tab")
        if not user:
            return
        if tab == "messages":
            greet_once(greeted, str(user), event.get("channel"), client)
        elif tab == "home":
            home.publish(str(user), client)
        else:
            log.debug("app_home_opened on tab %r: nothing to do", tab)
