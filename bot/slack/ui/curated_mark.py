"""The mark on an answer that is a curated answer ("vast antwoord", bot/curation/): that it is one,
who decided it and when. Kept apart from bot/slack/features/curated_answers.py because bot/slack/ui/blocks.py
puts it above every curated answer's sources (and curated_answers builds on blocks)."""

from __future__ import annotations

import html
from typing import Any

from bot.answering.types import Answer
from bot.curation.types import dutch_date
from bot.slack.ui.safe_text import neutralise

BLOCK_ID = "vraagbaak_vast_antwoord"


def mark(answer: Answer) -> list[dict[str, Any]]:
    """A context block for a curated answer; nothing for any other answer."""
    curated = answer.curated
    if curated is None:
        return []
    who = neutralise(html.escape(curated.decided_by or "een beheerder", quote=False))  # a name, never a mention
    if answer.language == "en":
        text = f":pushpin: *Fixed answer*, decided by {who} on {curated.created_at[:10]}"
    else:
        text = f":pushpin: *Vast antwoord*, vastgesteld door {who} op {dutch_date(curated.created_at)}"
    return [{"type": "context", "block_id": BLOCK_ID, "elements": [{"type": "mrkdwn", "text": text}]}]
