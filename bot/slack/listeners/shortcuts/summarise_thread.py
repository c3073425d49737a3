"""The message shortcut "Vat deze thread samen" (the ⋮ menu of any message): the `samenvatting`
template over the message's thread, sent privately to whoever asked. A thread Vraagbaak cannot read
(it is not a member of the channel) gets a short Dutch explanation instead.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access.policy import Access
from bot.errors import TemplateError, VraagbaakError
from bot.slack.answer_flow.conversation import message_text, plain_text
from bot.slack.answer_flow.replying import Question, tell_privately
from bot.slack.features.ai_notice import AiNotice
from bot.slack.features.sharing import NOT_READABLE_ERRORS
from bot.slack.ui.blocks import escape
from bot.slack.ui.safe_text import neutralise
from bot.slack.ui.template_blocks import fallback_text as template_text
from bot.slack.ui.template_blocks import to_blocks
from bot.templates.filling import TemplateFiller
from bot.templates.library import TemplateLibrary

log = logging.getLogger(__name__)

SUMMARY_SHORTCUT = "vat_thread_samen"
SUMMARY_TEMPLATE = "samenvatting"
NOT_READABLE = ("Ik kan deze thread niet lezen: ik ben geen lid van dit gesprek. Nodig me uit met "
                "`/invite @Vraagbaak` en probeer het opnieuw.")
NOTHING_TO_SUMMARISE = "In deze thread staat geen tekst om samen te vatten."
SUMMARISING = ":hourglass_flowing_sand: Ik vat de thread samen…"
SUMMARY_QUEUED = (":hourglass_flowing_sand: Het is even druk: je bent de {place}e in de rij. "
                  "Je samenvatting komt zodra het taalmodel vrij is.")
SUMMARY_FAILED = "Sorry, de samenvatting lukte niet: {reason}"
SUMMARY_BROKEN = "Sorry, er ging iets mis bij het samenvatten. De beheerder kan de details in het logboek vinden."
NO_TEMPLATE = "Samenvatten kan nu niet: het sjabloon `samenvatting` ontbreekt. Meld het bij de beheerder van Vraagbaak."
SHORTENED = "_De thread was te lang; de eerste en de laatste berichten zijn samengevat ({left} weggelaten)._"
THREAD_MESSAGES = 200
SUMMARY_CHARS = 3000  # the template's `tekst` field takes at most this much


def register(app: App, *, templates: TemplateLibrary, filler: Callable[[], TemplateFiller], access: Access,
             ai_notice: AiNotice | None) -> None:
    """`filler` is called when a thread is summarised (the filler needs the language model)."""
    @app.message_shortcut(SUMMARY_SHORTCUT)
    def summarise_thread(ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond,
                         context: BoltContext) -> None:
        ack()
        try:
            summarise(shortcut, client, respond, bot_user_id=context.bot_user_id, templates=templates,
                      filler=filler, access=access, ai_notice=ai_notice)
        except Exception:
            log.exception("summarising a thread failed")
            respond(text=SUMMARY_BROKEN, response_type="ephemeral", replace_original=True)


def summarise(shortcut: dict[str, Any], client: WebClient, respond: Callable[..., Any], *,
              bot_user_id: str | None, templates: TemplateLibrary, filler: Callable[[], TemplateFiller],
              access: Access, ai_notice: AiNotice | None) -> None:
    channel, user = shortcut["channel"]["id"], shortcut["user"]["id"]
    message = shortcut.get("message") or {}
    thread_ts = str(message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts"))
    try:
        template = templates.get(SUMMARY_TEMPLATE)
    except TemplateError:
        tell_privately(respond, NO_TEMPLATE)
        return
    try:
        replies = client.conversations_replies(channel=channel, ts=thread_ts, limit=THREAD_MESSAGES)
    except SlackApiError as exc:
        if exc.response.get("error") not in NOT_READABLE_ERRORS:
            raise
        tell_privately(respond, NOT_READABLE)
        return
    names = _Names(client, bot_user_id)
    text, left_out = thread_text(list(replies.get("messages") or []), names, bot_user_id=bot_user_id)
    if not text:
        tell_privately(respond, NOTHING_TO_SUMMARISE)
        return
    tell_privately(respond, SUMMARISING)
    if ai_notice is not None:
        ai_notice.greet(Question(text=text, user=user, channel=channel), client, respond)

    def queued(position: int) -> None:
        if position > 0:
            respond(text=SUMMARY_QUEUED.format(place=position + 1), response_type="ephemeral", replace_original=True)

    collections = access.collections_for(channel, is_dm=False, user=user)
    try:
        result = filler().fill(template, {"tekst": text, "focus": ""}, collections=collections, on_queued=queued)
    except VraagbaakError as exc:
        log.warning("summarising a thread failed: %s", exc)
        respond(text=neutralise(escape(SUMMARY_FAILED.format(reason=exc))), response_type="ephemeral",
                replace_original=True)
        return
    blocks = to_blocks(result, intro=f"Samenvatting van {_thread_link(client, channel, thread_ts)}, alleen voor jou.")
    if left_out:
        blocks.insert(1, {"type": "context", "elements": [{"type": "mrkdwn", "text": SHORTENED.format(left=left_out)}]})
    respond(text=template_text(result), blocks=blocks[:50], response_type="ephemeral", replace_original=True)


def thread_text(messages: list[dict[str, Any]], names: Callable[[dict[str, Any]], str], *,
                bot_user_id: str | None, limit: int = SUMMARY_CHARS) -> tuple[str, int]:
    """The thread as "name: text" lines within `limit` characters: the opening message, then as many
    of the latest as fit; returns the text and how many messages were left out."""
    lines = []
    for message in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
        if message.get("subtype") in {"channel_join", "channel_leave", "message_deleted"}:
            continue
        text = plain_text(message_text(message), bot_user_id=bot_user_id)
        if text:
            lines.append(f"{names(message)}: {text}")
    if not lines:
        return "", 0
    marker = "[… {n} berichten weggelaten …]"
    first = lines[0][: limit // 3]
    budget = limit - len(first) - len(marker) - 8
    kept: list[str] = []
    for line in reversed(lines[1:]):
        if len(line) + 1 > budget:
            break
        kept.insert(0, line)
        budget -= len(line) + 1
    left_out = len(lines) - 1 - len(kept)
    middle = [marker.format(n=left_out)] if left_out else []
    return "\n".join([first, *middle, *kept]), left_out


class _Names:
    """Display names of the thread's authors (users.info, once per person)."""

    def __init__(self, client: WebClient, bot_user_id: str | None) -> None:
        self.client, self.bot_user_id = client, bot_user_id
        self.known: dict[str, str] = {}

    def __call__(self, message: dict[str, Any]) -> str:
        user = str(message.get("user") or "")
        if message.get("bot_id") and (not user or user == self.bot_user_id):
            return "Vraagbaak" if user == self.bot_user_id else str(message.get("username") or "bot")
        if user not in self.known:
            self.known[user] = self._look_up(user)
        return self.known[user]

    def _look_up(self, user: str) -> str:
        if not user:
            return "iemand"
        try:
            info = self.client.users_info(user=user)["user"]
        except SlackApiError:
            return "iemand"
        profile = info.get("profile") or {}
        return str(profile.get("display_name") or profile.get("real_name") or info.get("name") or "iemand")


def _thread_link(client: WebClient, channel: str, ts: str) -> str:
    try:
        return f"<{client.chat_getPermalink(channel=channel, message_ts=ts)['permalink']}|deze thread>"
    except SlackApiError:
        return "deze thread"

