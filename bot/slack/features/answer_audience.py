"""Who may act on a stored answer through its buttons (a vote, "Vraag een collega", "Deel in kanaal",
"Deel in thread"): whoever could see it. A button's value comes back from the clicker's Slack client,
so it can name any answer id; the click counts only from the person it was given to, or, for an
answer given in a channel (and shared there), from a member of that channel. An answer in a direct
message with Vraagbaak is its asker's alone, and so is a private answer's share button. Anything
else is refused, logged, and stores nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

if TYPE_CHECKING:
    from bot.insights.feedback import FeedbackStore, StoredAnswer

log = logging.getLogger(__name__)

NOT_YOURS = ("Dit antwoord is gegeven in een gesprek waar jij geen deel van uitmaakt; "
             "je klik is niet verwerkt en er is niets opgeslagen.")
MEMBERS_PAGE = 1000


def asked_by(stored: "StoredAnswer", user: str, *, feedback: "FeedbackStore") -> bool:
    """Whether `user` asked for the answer: only they saw a private answer, so only they may share it."""
    if stored.user == feedback.pseudonymize(user):
        return True
    log.warning("share by %s of answer %s refused: not the asker", user, stored.id)
    return False


def may_act_on(stored: "StoredAnswer", user: str, *, feedback: "FeedbackStore", client: WebClient) -> bool:
    """Whether `user` could see the answer `stored`, so that their click on it counts."""
    if stored.user == feedback.pseudonymize(user):
        return True
    channel = stored.channel
    if not channel or channel.startswith("D"):  # the asker's own conversation with Vraagbaak
        allowed = False
    else:
        allowed = is_member(client, channel, user)
    if not allowed:
        log.warning("click by %s on answer %s from %s refused: not someone it was given to",
                    user, stored.id, channel or "?")
    return allowed


def is_member(client: WebClient, channel: str, user: str) -> bool:
    """Whether `user` is in `channel` (conversations.members, page by page); False when Slack will not say."""
    try:
        for page in client.conversations_members(channel=channel, limit=MEMBERS_PAGE):
            if user in (page.get("members") or []):
                return True
    except SlackApiError as exc:  # fail closed: a click we cannot place does not count
        log.warning("conversations.members of %s failed: %s", channel, exc.response.get("error"))
    return False
