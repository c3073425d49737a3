"""Who has already been told something once (a greeting, a notice), kept across restarts.

Stored as one pseudonym a line (bot/people/pseudonyms.py: a keyed hash of the Slack user id, unless an admin
switched pseudonymisation off) in a file of the state folder, readable by the bot's own user only.
Nothing else about the person is kept: not when, not where. `forget` serves erasure requests.

The file is the truth: another process (`vraagbaak privacy forget` while `serve` runs) may change
it, so it is read again whenever it changed since this process last read or wrote it, and every
change writes what the file holds now plus or minus one person (a forgotten person stays forgotten).
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
        self._known: set[str] = set()
        self._version: tuple[int, int, int] | None = None  # the file's (inode, size, mtime) when read
        self._refresh()

    def first_time(self, user: str) -> bool:
        """Whether this is the first time for `user`; from now on it is not."""
        stored = self.pseudonymize(user)
        with self._lock:
            known = self._refresh()
            if stored in known:
                return False
            self._write(known | {stored})
        return True

    def undo(self, user: str) -> None:
        """As if `first_time(user)` had not been asked (what it was for did not reach the person)."""
        self.forget([self.pseudonymize(user)])

    def forget(self, stored_ids: Iterable[str]) -> int:
        """Erasure: removes these stored forms of a person; returns how many were there."""
        with self._lock:
            known = self._refresh()
            gone = known & set(stored_ids)
            if gone:
                self._write(known - gone)
        return len(gone)

    def knows(self, stored_ids: Iterable[str]) -> bool:
        """Access requests: whether any of these stored forms of a person is remembered."""
        with self._lock:
            return bool(self._refresh() & set(stored_ids))

    def _refresh(self) -> set[str]:
        """What the file holds, read again only when it changed (one stat() otherwise)."""
        version = _version_of(self.path)
        if version is None or version != self._version:
            self._known = self._read() if version is not None else set()
            self._version = version
        return self._known

    def _read(self) -> set[str]:
        try:
            return {line.strip() for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()}
        except FileNotFoundError:
            return set()
        except (OSError, UnicodeDecodeError):
            log.warning("could not read %s; everyone counts as new", self.path, exc_info=True)
            return set()

    def _write(self, known: set[str]) -> None:
        """The whole set, atomically (a temporary file renamed into place), mode 0600; kept in
        memory also when the disk is full (a restart then greets once more, nothing worse)."""
        self._known = set(known)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("".join(f"{stored}\n" for stored in sorted(known)))
            os.replace(temporary, self.path)
            self._version = _version_of(self.path)
        except OSError:  # a full disk costs a repeated greeting, never an answer
            log.warning("could not write %s", self.path, exc_info=True)


def _version_of(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
