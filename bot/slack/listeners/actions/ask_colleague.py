"""A click on "Vraag een collega": the question, Vraagbaak's answer and its sources go to the channel
of colleagues for that collection, with a link back to the thread; the asker hears (privately)
where it went, and later who picks it up ("Ik pak dit op" under the post: actions/claim_question.py).

What is posted there is what that channel may see: sources from collections the channel may not
search (bot/access/policy.py decides, restricted collections fail closed) are left out, and with them the
answer text written from them.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access.policy import Access
from bot.answering.types import Source
from bot.insights.feedback import FeedbackStore, StoredAnswer
from bot.slack.features import escalation
from bot.slack.features.escalation import EscalationRoutes, SentToColleagues
from bot.slack.ui.blocks import answer_links, escape, section, sources_block, text_sections
from bot.slack.answer_flow.replying import tell_privately
from bot.slack.ui.safe_text import neutralise
from language.detection import detect_language

log = logging.getLogger(__name__)

ANSWER_GONE = "Dit antwoord kan ik niet meer terugvinden; stel je vraag gerust opnieuw."
NOT_A_ROUTE = "Dit kanaal is niet (meer) ingesteld voor vragen aan collega's; vraag het de beheerder van Vraagbaak."
ALREADY = "Je vraag staat al in <#{channel}>; een collega pakt hem op."
SENT_THREAD = ("Ik heb je vraag met mijn antwoord doorgezet naar <#{channel}>. Een collega daar reageert in "
               "deze thread; wie het oppakt, hoor je van mij.")
SENT_PRIVATE = ("Ik heb je vraag met mijn antwoord doorgezet naar <#{channel}>. Een collega daar neemt contact "
                "met je op; wie het oppakt, hoor je van mij.")
NOT_MEMBER = ("Doorzetten lukte niet: ik ben geen lid van <#{channel}>. Vraag de beheerder van Vraagbaak om me "
              "daar uit te nodigen (`/invite @Vraagbaak`).")
FAILED = "Doorzetten lukte niet. Probeer het zo nog eens, of stel je vraag zelf in <#{channel}>."
WITHHELD = ("_Het antwoord van Vraagbaak steunt op documenten die in dit kanaal niet te zien zijn; "
            "het staat daarom niet hier._")
SENT_EN = {True: ("I passed your question and my answer on to <#{channel}>. A colleague there will contact you; "
                  "I will tell you who picks it up."),
           False: ("I passed your question and my answer on to <#{channel}>. A colleague there will reply in "
                   "this thread; I will tell you who picks it up.")}


def register(app: App, *, feedback: FeedbackStore, access: Access, routes: EscalationRoutes,
             sent: SentToColleagues) -> None:

    @app.action(re.compile(escalation.ACTION_PATTERN))
    def ask_colleague(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                      respond: Respond) -> None:
        ack()
        answer_id, channel = escalation.parse_value(str(action.get("value", "")))
        try:
            escalate(feedback, access, routes, sent, body, answer_id, channel, client, respond)
        except Exception:
            log.exception("escalating answer %s to %s failed", answer_id, channel)
            sent.forget(answer_id, channel)
            tell_privately(respond, FAILED.format(channel=channel))


def escalate(feedback: FeedbackStore, access: Access, routes: EscalationRoutes, sent: SentToColleagues,
             body: dict[str, Any], answer_id: str, channel: str, client: WebClient,
             respond: Callable[..., Any]) -> None:
    if not routes.is_route(channel):  # the value came back from Slack: check it
        tell_privately(respond, NOT_A_ROUTE)
        return
    stored = feedback.answer(answer_id)
    if stored is None:
        tell_privately(respond, ANSWER_GONE)
        return
    if not sent.first_time(answer_id, channel):
        tell_privately(respond, ALREADY.format(channel=channel))
        return
    asker = body["user"]["id"]
    container = body.get("container") or {}
    # A private answer (/vraag, a shortcut) or one in the asker's DM with Vraagbaak: no thread the
    # colleagues could open, so they answer the asker directly.
    private = (bool(container.get("is_ephemeral")) or "message" not in body
               or str(container.get("channel_id", "")).startswith("D"))
    where = {} if private else {"channel": container.get("channel_id"), "ts": container.get("message_ts"),
                                "thread_ts": (body.get("message") or {}).get("thread_ts")}
    link = None if private else _permalink(client, where["channel"], where["ts"])
    allowed = access.collections_for(channel, is_dm=False)
    blocks = post_blocks(stored, asker=asker, link=link, origin=where.get("channel"),
                         visible=lambda s: allowed is None or s.collection in allowed)
    try:
        client.chat_postMessage(channel=channel, text=f"Vraag van <@{asker}> voor een collega", blocks=blocks,
                                unfurl_links=False)
    except SlackApiError as exc:
        sent.forget(answer_id, channel)
        if exc.response.get("error") in {"not_in_channel", "channel_not_found", "is_archived"}:
            log.warning("cannot post in escalation channel %s: %s", channel, exc.response.get("error"))
            tell_privately(respond, NOT_MEMBER.format(channel=channel))
            return
        raise
    log.info("answer %s handed to colleagues in %s", answer_id, channel)
    sent_text = (SENT_EN[private] if detect_language(stored.question) == "en"
                 else SENT_PRIVATE if private else SENT_THREAD)
    tell_privately(respond, sent_text.format(channel=channel))


def post_blocks(stored: StoredAnswer, *, asker: str, link: str | None, origin: str | None,
                visible: Callable[[Source], bool]) -> list[dict[str, Any]]:
    """The post in the colleagues' channel: who asks, the question, the answer, sources, the way back."""
    sources = [s for s in stored.sources if visible(s)]
    where = f" in <#{origin}>" if origin and not origin.startswith("D") else ""
    blocks = [section(f":raising_hand: <@{asker}> vraagt hulp van een collega{where}."),
              section(f"*Vraag:* {neutralise(escape(stored.question))}"[:3000]),
              section("*Antwoord van Vraagbaak:*")]
    if len(sources) < len(stored.sources):
        blocks.append(section(WITHHELD))
    else:
        blocks += text_sections(stored.answer, links=answer_links(sources))[:40]
    listed = sources_block(sources)
    if listed:
        blocks.append(listed)
    way_back = (f"<{link}|Naar het gesprek>: antwoord daar in de thread." if link
                else f"Privé gevraagd: antwoord <@{asker}> met een direct bericht.")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": way_back}]})
    value = json.dumps({"asker": asker, "question": stored.question[:300]}, ensure_ascii=False)
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "action_id": escalation.ACTION_CLAIM, "value": value[:2000], "style": "primary",
         "text": {"type": "plain_text", "text": "Ik pak dit op", "emoji": True}}]})
    return blocks


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except SlackApiError as exc:
        log.info("chat.getPermalink failed: %s", exc.response.get("error"))
        return None
