"""How Vraagbaak connects to Slack."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Slack(Area):
    """Slack: the tokens and how the bot connects (Socket Mode or HTTP)."""

    bot_token: str = setting("", "SLACK_BOT_TOKEN", "Bot token (xoxb-…).", secret=True)
    app_token: str = setting("", "SLACK_APP_TOKEN", "App-level token (xapp-…) for Socket Mode.", secret=True)
    signing_secret: str = setting("", "SLACK_SIGNING_SECRET", "Signing secret, for HTTP mode.", secret=True)
    api_url: str = setting("", "SLACK_API_URL", "Slack Web API base URL. Empty: https://slack.com/api/.")
    mode: str = setting(
        "auto", "VRAAGBAAK_SLACK_MODE",
        "`socket`, `http`, or `auto` (socket when SLACK_APP_TOKEN is set).", choices=("auto", "socket", "http"))
    http_port: int = setting(3000, "VRAAGBAAK_HTTP_PORT", "Port for HTTP mode (CLI: --port).")
