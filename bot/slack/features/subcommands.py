"""The sub-commands of `/vraagbaak` (help, status, reindex, templates, …): one registry, built by the
composition root, to which the command's listener modules add theirs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient


@dataclass(frozen=True)
class CommandCall:
    """One `/vraagbaak <sub> <args…>` invocation, already acknowledged."""

    args: list[str]
    user: str
    channel: str
    client: WebClient
    respond: Callable[..., Any]
    trigger_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Subcommand:
    """A `/vraagbaak` sub-command."""

    name: str
    usage: str  # e.g. "reindex [volledig] [collectie…]"
    help: str  # one Dutch line
    run: Callable[[CommandCall], None]
    admin_only: bool = False


class Subcommands:
    """The sub-commands by name, in the order they were added (the order of `/vraagbaak help`)."""

    def __init__(self) -> None:
        self._by_name: dict[str, Subcommand] = {}
        self._lock = threading.Lock()

    def add(self, subcommand: Subcommand) -> None:
        with self._lock:
            self._by_name[subcommand.name] = subcommand

    def get(self, name: str) -> Subcommand | None:
        with self._lock:
            return self._by_name.get(name)

    def all(self) -> list[Subcommand]:
        with self._lock:
            return list(self._by_name.values())
