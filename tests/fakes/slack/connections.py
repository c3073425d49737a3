"""The app's open Socket Mode connections, and which one an envelope goes to.

Slack lets an app hold up to 10 connections at once (one per replica, say) and sends each envelope
to one of them, chosen by Slack: here at random from a seeded generator, so a test run is
repeatable. A retry of an envelope nobody acknowledged goes to another open connection than the
attempt before it whenever there is one: Slack may send it anywhere, and "somewhere else" is the
case a bot with several replicas must survive (the first replica may still be working on it). A
connection the app was asked to leave (`disconnect`) gets nothing new while another is open.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field

from aiohttp import web

MAX_CONNECTIONS = 10  # Slack: "up to 10 simultaneous connections" per app


@dataclass(eq=False)
class Link:
    """One open WebSocket between the fake Slack and the app."""

    id: int
    socket: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
    leaving: bool = False  # sent `disconnect`: the app is replacing it
    envelope_ids: list[str] = field(default_factory=list)  # what was sent on it

    @property
    def open(self) -> bool:
        return not self.socket.closed and not (self.transport is not None and self.transport.is_closing())


class Connections:
    """The open links in the order they were opened; thread-safe through the fake's event loop
    (every method runs on it)."""

    def __init__(self, *, seed: int = 0, limit: int = MAX_CONNECTIONS) -> None:
        self.limit = limit
        self.refused = 0  # connections refused because `limit` were open
        self._links: dict[int, Link] = {}
        self._ids = itertools.count(1)
        self._random = random.Random(seed)

    def add(self, socket: web.WebSocketResponse, transport: asyncio.BaseTransport | None) -> Link:
        link = Link(next(self._ids), socket, transport)
        self._links[link.id] = link
        return link

    def full(self) -> bool:
        return len(self.open()) >= self.limit

    def remove(self, link: Link) -> None:
        self._links.pop(link.id, None)

    def open(self) -> list[Link]:
        return [link for link in self._links.values() if link.open]

    def get(self, link_id: int | None) -> Link | None:
        """The link with this id while it is open; the newest open link for None."""
        links = self.open()
        if link_id is None:
            return links[-1] if links else None
        return next((link for link in links if link.id == link_id), None)

    def choose(self, *, avoid: int | None = None) -> Link | None:
        """The link an envelope goes to: any open one not leaving (one other than `avoid` when there
        is such a link); None when there is none, and the envelope waits for the next connection."""
        staying = [link for link in self.open() if not link.leaving]
        elsewhere = [link for link in staying if link.id != avoid]
        candidates = elsewhere or staying
        return self._random.choice(candidates) if candidates else None
