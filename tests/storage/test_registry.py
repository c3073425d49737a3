"""The registry of personal data (bot/storage/personal.py): every store that holds person ids is in it,
so `vraagbaak privacy export|forget|purge` and the daily purge cannot leave one out."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import datetime

import pytest
import sqlalchemy as sa

import bot
from bot.services import Services
from bot.storage.database import Database
from bot.storage.engines import SqliteRecipe, StorageError
from bot.storage.migrations import Migration, create_tables
from bot.storage.personal import PersonalData
from bot.storage.stores import Person, PersonalStore, Store
from tests.conftest import make_settings

# Column names that hold who someone is (a Slack id or its pseudonym), in any store's tables.
PERSON_COLUMNS = {"user", "user_id", "owner", "person", "decided_by", "asked_by", "voter", "author", "member"}


def store_classes() -> list[type[Store]]:
    """Every concrete Store defined in bot/ (each module imported)."""
    for module in pkgutil.walk_packages(bot.__path__, "bot."):
        importlib.import_module(module.name)
    found, todo = set(), [Store]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("bot.") and not inspect.isabstract(sub):
                found.add(sub)
    return sorted(found, key=lambda c: c.__qualname__)


def person_columns(store: type[Store], tmp_path) -> dict[str, set[str]]:
    """Per table that the store's migrations make, the columns that hold who someone is."""
    database = Database(SqliteRecipe(tmp_path / f"{store.__name__}.sqlite3"))
    database.migrate(store.migrations)
    with database.read() as db:
        schema = sa.inspect(db)
        tables = {t: {c["name"] for c in schema.get_columns(t)} for t in schema.get_table_names()}
    database.close()
    return {t: columns & PERSON_COLUMNS for t, columns in tables.items() if columns & PERSON_COLUMNS}


def unregistered(stores: list[type[Store]], tmp_path) -> list[str]:
    return [f"{s.__module__}.{s.__name__}: {person_columns(s, tmp_path)}" for s in stores
            if person_columns(s, tmp_path) and not issubclass(s, PersonalStore)]


def test_every_store_holding_person_ids_is_a_personal_store(tmp_path):
    stores = store_classes()
    assert {s.__name__ for s in stores} >= {"FeedbackStore", "CuratedStore", "FollowedThreads", "FirstContacts"}
    assert unregistered(stores, tmp_path) == []


def test_the_check_finds_a_store_with_person_ids_that_is_not_a_personal_store(tmp_path):
    tables = sa.MetaData()
    sa.Table("reminders", tables, sa.Column("id", sa.Text, primary_key=True), sa.Column("owner", sa.Text))

    class Reminders(Store):
        migrations = (Migration("reminders: table", create_tables(tables)),)
    assert unregistered([Reminders], tmp_path) == [f"{__name__}.Reminders: {{'reminders': {{'owner'}}}}"]


def test_every_personal_store_is_in_the_registry_the_privacy_commands_use(tmp_path):
    registry = Services(make_settings(tmp_path / "data")).personal_data
    personal = {s for s in store_classes() if issubclass(s, PersonalStore)}
    assert {type(store) for store in registry.stores.values()} == personal
    assert all(store.title for store in registry.stores.values())


class Broken(PersonalStore):
    name, title = "broken", "kapot"

    def export(self, person: Person) -> list:
        return []

    def forget(self, person: Person) -> int:
        raise OSError("schijf weg")

    def purge(self, now: datetime | None = None) -> int:
        raise OSError("schijf weg")


def test_one_failing_store_does_not_keep_the_others_from_forgetting_or_purging(tmp_path):
    services = Services(make_settings(tmp_path / "data", follow_up_days=7))
    services.followed_threads.remember("C1", "1.000001", "U0ALICE")
    broken = Broken(services.storage.database(tmp_path / "broken.sqlite3"))
    registry = PersonalData([broken, services.followed_threads])
    alice = services.pseudonymizer.person("U0ALICE")
    with pytest.raises(StorageError, match="niet gelukt in: broken"):
        registry.forget(alice)
    assert services.followed_threads.export(alice) == [], "the store after the broken one forgot her"
    assert registry.purge() == {"broken": -1, "followed_threads": 0}
    with pytest.raises(ValueError):
        PersonalData([services.followed_threads, services.followed_threads])
