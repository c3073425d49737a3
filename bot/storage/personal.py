"""The registry of personal data: every store that holds data about people, and the three things
the privacy officer asks of all of them at once. `vraagbaak privacy export|forget|purge` and the
daily purge are loops over it, so no store can be left out of an access or erasure request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.storage.database import Database
from bot.storage.engines import StorageError
from bot.storage.stores import Person, PersonalStore

log = logging.getLogger(__name__)


class PersonalData:
    """The personal-data stores, by name (bot/services.py builds it with every one of them)."""

    def __init__(self, stores: Iterable[PersonalStore]) -> None:
        self.stores: dict[str, PersonalStore] = {}
        for store in stores:
            if store.name in self.stores:
                raise ValueError(f"two personal-data stores named {store.name!r}")
            self.stores[store.name] = store

    @property
    def names(self) -> list[str]:
        return list(self.stores)

    def titled(self, counts: dict[str, int]) -> str:
        """Counts per store, as the privacy officer reads them: "vragen en stemmen: 3, …"."""
        return ", ".join(f"{self.stores[name].title}: {count}" for name, count in counts.items())

    def export(self, person: Person) -> dict[str, Any]:
        """Per store, everything it holds about the person."""
        return {name: store.export(person) for name, store in self.stores.items()}

    def forget(self, person: Person) -> dict[str, int]:
        """Erases the person from every store; per store, how many records went. A store that fails
        does not stop the others; then StorageError names it, after all were tried."""
        counts, failed = {}, []
        for name, store in self.stores.items():
            try:
                counts[name] = store.forget(person)
            except Exception:
                log.exception("erasure in %s failed", name)
                failed.append(name)
        self._after_erasure()
        if failed:
            raise StorageError(f"Wissen is niet gelukt in: {', '.join(failed)} (zie het logboek); de andere "
                               "opslag is gewist. Probeer het opnieuw.")
        log.info("erasure request: %s", ", ".join(f"{n} {c}" for n, c in counts.items()))
        return counts

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Applies every store's retention period; per store, how many records went (-1: it failed,
        logged; one store's failure must not keep the others' old records)."""
        counts = {}
        for name, store in self.stores.items():
            try:
                counts[name] = store.purge(now)
            except Exception:
                log.exception("privacy purge of %s failed", name)
                counts[name] = -1
        self._after_erasure()
        return counts

    def _after_erasure(self) -> None:
        databases: dict[int, Database] = {id(s.database): s.database for s in self.stores.values()}
        for database in databases.values():
            try:
                database.after_erasure()
            except Exception:
                log.exception("could not clean up after erasure in %r", database)
