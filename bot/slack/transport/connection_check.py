"""Can this bot token reach Slack? `auth.test`, for `vraagbaak doctor` (which may not import slack_sdk)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class AuthCheck:
    """The outcome of `auth.test`: who the token is, or why it failed (`error`, Slack's own code)."""

    ok: bool
    team: str = ""
    user: str = ""
    bot_id: str = ""
    error: str = ""


def check_auth(bot_token: str, *, api_url: str = "", timeout: float = 10.0) -> AuthCheck:
    """Calls `auth.test` once, without retries; never raises for Slack or network errors."""
    base = api_url or DEFAULT_API_URL
    client = WebClient(token=bot_token, base_url=base if base.endswith("/") else base + "/",
                       timeout=int(max(1, timeout)))
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        return AuthCheck(ok=False, error=str(exc.response.get("error") or exc))
    except (SlackClientError, OSError, ValueError) as exc:
        log.debug("auth.test failed", exc_info=True)
        return AuthCheck(ok=False, error=f"{type(exc).__name__}: {exc}")
    return AuthCheck(ok=True, team=str(response.get("team", "")), user=str(response.get("user", "")),
                     bot_id=str(response.get("bot_id", "") or ""))
