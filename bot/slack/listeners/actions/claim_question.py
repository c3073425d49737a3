"""A click on "Ik pak dit op" under a question handed to colleagues (actions/ask_colleague.py): the post
says who picked it up, and the asker gets a direct message with their name."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.features import escalation
from bot.slack.ui.blocks import escape
from bot.slack.ui.safe_text import neutralise
from language.detection import detect_language

log = logging.getLogger(__name__)

CLAIMED_DM = "<@{colleague}> uit <#{channel}> pakt je vraag op: _{question}_"
CLAIMED_DM_EN = "<@{colleague}> from <#{channel}> is picking up your question: _{question}_"
CLAIMED = ":white_check_mark: Opgepakt door <@{colleague}>."


def register(app: App) -> None:
    @app.action(escalation.ACTION_CLAIM)
    def claim(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            picked_up(body, action, client)
        except Exception:
            log.exception("telling the asker who picked up their question failed")


def picked_up(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    """A colleague clicked "Ik pak dit op": the post says who, the asker gets a DM with their name."""
    colleague = body["user"]["id"]
    details = json.loads(str(action.get("value") or "{}"))
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    message = body.get("message") or {}
    blocks = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": CLAIMED.format(colleague=colleague)}]})
    client.chat_update(channel=channel, ts=message.get("ts"), text=message.get("text") or "Vraag voor een collega",
                       blocks=blocks)
    question = neutralise(escape(str(details.get("question", ""))))
    claimed = CLAIMED_DM_EN if detect_language(str(details.get("question", ""))) == "en" else CLAIMED_DM
    client.chat_postMessage(channel=str(details["asker"]), unfurl_links=False,
                            text=claimed.format(colleague=colleague, channel=channel, question=question))
