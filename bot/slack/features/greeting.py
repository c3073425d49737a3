"""The greeting and the suggested prompts of the app's Messages tab (agent view) and of a new assistant
thread (assistant view); in the Messages tab a person is greeted once, remembered across restarts,
pseudonymously (bot/people/first_contact.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

if TYPE_CHECKING:
    from bot.people.first_contact import OncePerPerson

log = logging.getLogger(__name__)

GREETING = ("Hoi! Ik ben Vraagbaak. Ik beantwoord vragen uit onze eigen documenten: HR, IT, "
            "veiligheid en facilitair. Waarmee kan ik je helpen?")
SUGGESTED_PROMPTS = [
    {"title": "Verlof aanvragen", "message": "Hoe vraag ik verlof aan?"},
    {"title": "Vakantiedagen", "message": "Hoeveel vakantiedagen heb ik per jaar?"},
    {"title": "Ziek melden", "message": "Hoe meld ik me ziek?"},
    {"title": "MFA instellen", "message": "Hoe stel ik tweestapsverificatie (MFA) in?"},
]
PROMPTS_TITLE = "Bijvoorbeeld:"


def greet_once(greeted: "OncePerPerson", user: str, channel: str | None, client: WebClient) -> None:
    """The first time a person opens the Messages tab: suggested prompts and a greeting."""
    if not channel:
        return
    if not greeted.first_time(user):
        log.debug("%s opened the Messages tab; greeted before, nothing to do", user)
        return
    try:
        # No thread_ts: Slack pins the prompts to the tab (agent apps' calls with one are ignored).
        client.assistant_threads_setSuggestedPrompts(channel_id=channel, prompts=SUGGESTED_PROMPTS,
                                                     title=PROMPTS_TITLE)
        client.chat_postMessage(channel=channel, text=GREETING)
    except SlackApiError as exc:
        greeted.undo(user)  # try again at the next opening
        log.warning("could not greet %s in the Messages tab: %s", user, exc.response.get("error"))
        return
    log.info("greeted %s in the Messages tab", user)
