"""The weekly "what the documents are missing" DM to the admins (bot/insights/gaps.py's digest observer): the
groups of declined and 👎 questions, with how often and by how many people they were asked, example
wordings and the documents Vraagbaak offered instead. Never who asked; the wordings are the askers'
own text, so they are neutralised (no mention, broadcast or link from them reaches Slack).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.ui.blocks import escape
from bot.slack.ui.safe_text import neutralise

if TYPE_CHECKING:
    from bot.insights.gaps import GapGroup

log = logging.getLogger(__name__)

MAX_GROUPS = 15  # a DM stays readable (and within Slack's 50 blocks)
NOTHING = ("*Wat de documenten missen* (laatste {days} dagen)\nGeen vragen die Vraagbaak niet kon beantwoorden "
           "of die een 👎 kregen. :tada:")


def digest_blocks(groups: list["GapGroup"], *, days: int) -> list[dict[str, Any]]:
    if not groups:
        return [_section(NOTHING.format(days=days))]
    total = sum(g.count for g in groups)
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Wat de documenten missen"}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": (
                  f"De laatste {days} dagen: {total} vra{'ag' if total == 1 else 'gen'} in {len(groups)} "
                  f"groep{'' if len(groups) == 1 else 'en'} die Vraagbaak niet kon beantwoorden of die een 👎 "
                  "kregen. Een document dat hierop antwoordt, helpt de volgende collega.")}]}]
    for group in groups[:MAX_GROUPS]:
        blocks.append({"type": "divider"})
        blocks.append(_section(group_text(group)))
    if len(groups) > MAX_GROUPS:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"En nog {len(groups) - MAX_GROUPS} groep(en): `vraagbaak gaps --since {days}d`.")}]})
    return blocks


def group_text(group: "GapGroup") -> str:
    people = f"{group.askers} {'persoon' if group.askers == 1 else 'personen'}"
    how = [f"{group.declined}× niet gevonden"] if group.declined else []
    how += [f"{group.downvoted}× 👎"] if group.downvoted else []
    lines = [f"*{group.count}× gevraagd* door {people} ({', '.join(how)})"]
    lines += [f"• _{_safe(example)}_" for example in group.examples]
    if group.nearest_documents:
        lines.append("Dichtstbij: " + ", ".join(_safe(d) for d in group.nearest_documents))
    return "\n".join(lines)[:3000]


def digest_text(groups: list["GapGroup"], *, days: int) -> str:
    """The notification text (and what clients without blocks show)."""
    if not groups:
        return f"Wat de documenten missen (laatste {days} dagen): niets."
    return f"Wat de documenten missen (laatste {days} dagen): {len(groups)} groep(en) vragen."


class GapsDigestDM:
    """bot/insights/gaps.py digest observer: each admin gets the digest as a direct message."""

    def __init__(self, client: WebClient, admin_user_ids: Iterable[str], *, days: int) -> None:
        self.client = client
        self.admins = list(admin_user_ids)
        self.days = days

    def __call__(self, groups: list["GapGroup"]) -> None:
        if not self.admins:
            log.warning("gaps digest ready, but no VRAAGBAAK_ADMIN_USER_IDS to send it to")
            return
        blocks, text = digest_blocks(groups, days=self.days), digest_text(groups, days=self.days)
        for admin in self.admins:
            try:
                self.client.chat_postMessage(channel=admin, text=text, blocks=blocks, unfurl_links=False)
            except SlackApiError as exc:
                log.warning("could not send the gaps digest to %s: %s", admin, exc.response.get("error"))


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _safe(text: str) -> str:
    return neutralise(escape(" ".join(str(text).split())))[:300]
