"""The "Vraag een collega" button under an answer (and under a refusal), and where it goes.

Each collection may have a channel of colleagues who know it (`VRAAGBAAK_ESCALATION_CHANNELS`,
e.g. hr → #hr-vragen; `*` for every other collection). An answer is routed by the collections of
its sources (a refusal offers the closest documents, which have one too); an answer whose sources
span two routed collections gets a button for each. Without a channel for it, no button.

The routes are built once from the settings (bot/slack/composition.py) and handed to what lays out
answers (the answer flow, the share buttons) and to the button's listener.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.answering.types import Answer, Source

ACTION_ASK_COLLEAGUE = "vraag_collega"  # the first button; more are numbered: vraag_collega_2, …
ACTION_PATTERN = rf"^{ACTION_ASK_COLLEAGUE}(_\d+)?$"
ACTION_CLAIM = "vraag_collega_oppakken"
BLOCK_ID = "vraagbaak_collega"
MAX_BUTTONS = 3
ANY_COLLECTION = "*"
LABEL = "🙋 Vraag een collega"


@dataclass(frozen=True)
class Route:
    channel: str
    collection: str


@dataclass(frozen=True)
class EscalationRoutes:
    """Collection → channel id of the colleagues who answer about it."""

    channels: Mapping[str, str] = field(default_factory=dict)

    def routes_for(self, sources: Sequence[Source]) -> list[Route]:
        """The channels for an answer with these sources, most cited first, at most MAX_BUTTONS."""
        collections = [s.collection for s in sources] or [ANY_COLLECTION]
        routes: list[Route] = []
        for collection in collections:
            channel = self.channels.get(collection) or self.channels.get(ANY_COLLECTION)
            if channel and all(r.channel != channel for r in routes):
                routes.append(Route(channel, collection))
        return routes[:MAX_BUTTONS]

    def is_route(self, channel: str) -> bool:
        return channel in set(self.channels.values())


NO_ROUTES = EscalationRoutes()


def button_value(answer_id: str, channel: str) -> str:
    return f"{answer_id}|{channel}"


def parse_value(value: str) -> tuple[str, str]:
    answer_id, _, channel = value.partition("|")
    return answer_id, channel


def blocks(routes: EscalationRoutes, answer: Answer, answer_id: str) -> list[dict[str, Any]]:
    """The "Vraag een collega" button(s) under this answer, as an actions block of their own (the
    feedback buttons' context_actions block takes no other buttons); none without a route."""
    chosen = routes.routes_for(answer.sources)
    elements = []
    for number, route in enumerate(chosen, 1):
        label = LABEL if len(chosen) == 1 else f"{LABEL} ({route.collection})"
        elements.append({"type": "button", "value": button_value(answer_id, route.channel),
                         "action_id": ACTION_ASK_COLLEAGUE if number == 1 else f"{ACTION_ASK_COLLEAGUE}_{number}",
                         "text": {"type": "plain_text", "text": label[:75], "emoji": True}})
    return [{"type": "actions", "block_id": BLOCK_ID, "elements": elements}] if elements else []


class SentToColleagues:
    """Which answers were handed to which channel (this run): a second click does not post twice."""

    def __init__(self) -> None:
        self._sent: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def first_time(self, answer_id: str, channel: str) -> bool:
        with self._lock:
            if (answer_id, channel) in self._sent:
                return False
            self._sent.add((answer_id, channel))
            return True

    def forget(self, answer_id: str, channel: str) -> None:
        with self._lock:
            self._sent.discard((answer_id, channel))
