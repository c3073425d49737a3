"""A Slack user's e-mail address (users.info, scope users:read.email): the key that joins a person to
the readers of SharePoint and Nextcloud documents. None when Slack gives none (a bot, a guest, the
scope missing, a failed call): that person then gets organisation-wide documents only."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class SlackEmails:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def email_of(self, user: str) -> str | None:
        try:
            info = self.client.users_info(user=user)["user"]
        except SlackApiError as exc:
            log.warning("users.info for %s failed (%s); organisation-wide documents only", user,
                        exc.response.get("error"))
            return None
        if info.get("is_bot") or info.get("deleted"):
            return None
        return ((info.get("profile") or {}).get("email") or "").strip().lower() or None
