"""The base of every store: a set of tables in a `Database`, brought up to date by the store's named
migrations when it opens; and `PersonalStore`, the stores that hold data about people.

Every `PersonalStore` answers for its own data in an access request (`export`), an erasure request
(`forget`) and the retention period (`purge`); the composition root puts each one in the registry
(bot/storage/personal.py), and a test fails when a store holding person ids is not a PersonalStore,
or a PersonalStore is missing from the registry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # so that `Person` costs no SQLAlchemy import (the log filter's pseudonyms use it)
    from bot.storage.database import Database
    from bot.storage.migrations import Migration


class Store:
    """Tables in `database`, created and migrated by `migrations` when the store is made."""

    migrations: ClassVar[tuple["Migration", ...]] = ()

    def __init__(self, database: "Database") -> None:
        self.database = database
        self.migrated_now = database.migrate(self.migrations)


@dataclass(frozen=True)
class Person:
    """One person as the stores may hold them: their Slack id, and every form stored for them (the
    id itself, from before pseudonymisation or while it was off, and its pseudonym)."""

    user_id: str
    forms: tuple[str, ...]


class PersonalStore(Store, ABC):
    """A store with data about people. `name` names its part of an export and of the counts;
    `title` says in Dutch what it holds, for the privacy officer."""

    name: ClassVar[str]
    title: ClassVar[str]

    @abstractmethod
    def export(self, person: Person) -> Any:
        """Everything this store holds about the person, as JSON-able data (an access request)."""

    @abstractmethod
    def forget(self, person: Person) -> int:
        """Erases what this store holds about the person; how many records went."""

    @abstractmethod
    def purge(self, now: datetime | None = None) -> int:
        """Deletes what is older than this store's retention period; how many records went."""
