"""Who has already been told something once (a greeting, a notice), kept across restarts.

Stored as one pseudonym a line (bot/privacy.py: a keyed hash of the Slack user id, unless an admin
switched pseudonymisation off) in a file of the state folder, readable by the bot's own user only.
Nothing else about the person is kept: not when, not where. `forget` serves erasure requests.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)


class FirstContacts:
    """`first_time(user)`: True exactly once per person (thread-safe; remembered in `path`)."""

    def __init__(self, path: Path, *, pseudonymize: Callable[[str], str] = str) -> None:
        self.path = Path(path)
        self.pseudonymize = pseudonymize
        self._lock = threading.Lock()
        self._known = self._read()

    def first_time(self, user: str) -> bool:
        """Whether this is the first time for `user`; from now on it is not."""
        stored = self.pseudonymize(user)
        with self._lock:
            if stored in self._known:
                return False
            self._known.add(stored)
            self._write(self._known)
        return True

    def undo(self, user: str) -> None:
        """As if `first_time(user)` had not been asked (what it was for did not reach the person)."""
        self.forget([self.pseudonymize(user)])

    def forget(self, stored_ids: Iterable[str]) -> int:
        """Erasure: removes these stored forms of a person; returns how many were there."""
        with self._lock:
            gone = self._known & set(stored_ids)
            if gone:
                self._known -= gone
                self._write(self._known)
        return len(gone)

    def knows(self, stored_ids: Iterable[str]) -> bool:
        """Access requests: whether any of these stored forms of a person is remembered."""
        with self._lock:
            return bool(self._known & set(stored_ids))

    def _read(self) -> set[str]:
        try:
            return {line.strip() for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()}
        except FileNotFoundError:
            return set()
        except (OSError, UnicodeDecodeError):
            log.warning("could not read %s; everyone counts as new", self.path, exc_info=True)
            return set()

    def _write(self, known: set[str]) -> None:
        """The whole set, atomically (a temporary file renamed into place), mode 0600."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("".join(f"{stored}\n" for stored in sorted(known)))
            os.replace(temporary, self.path)
        except OSError:  # a full disk costs a repeated greeting, never an answer
            log.warning("could not write %s", self.path, exc_info=True)
