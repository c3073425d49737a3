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
    question_queue: bool = setting(
        False, "VRAAGBAAK_QUESTION_QUEUE",
        "Keep every question (a mention, a direct message, a follow-up in a thread, /vraag, the message shortcut; in "
        "Socket Mode and HTTP mode) in the database from before Slack's "
        "delivery is acknowledged until it is answered (bot/storage/queue.py): with replicas on one database "
        "each question is answered once, and one whose replica died is taken over by another.")
    question_lease_seconds: float = setting(
        120.0, "VRAAGBAAK_QUESTION_LEASE_SECONDS",
        "How long a replica holds a question without renewing it; a question whose replica died is taken over "
        "after this. Renewed while the answer is written.")
    messaging: str = setting(
        "agent", "VRAAGBAAK_SLACK_MESSAGING",
        "The app's Messages tab as its manifest configures it: `agent` (agent_view: agent sessions with a "
        "title and a stop button) or `assistant` (the older assistant_view, which Slack has deprecated: "
        "a \"denkt na…\" status).", choices=("agent", "assistant"))
