"""Replicas on one PostgreSQL database without a configured key: one generated key for all of them,
kept in that database, so that a person has one pseudonym whichever replica stored their vote."""

from __future__ import annotations

import logging

from bot.operations.logs import PseudonymousIds
from bot.services import Services
from tests.conftest import make_settings

ALICE = "U0ALICE"


def test_two_replicas_without_a_key_setting_give_a_person_one_pseudonym(tmp_path, postgres_url):
    first = Services(make_settings(tmp_path / "replica-a", database_url=postgres_url))
    second = Services(make_settings(tmp_path / "replica-b", database_url=postgres_url))
    try:
        first.feedback.record_answer(question="Hoeveel dagen?", answer="25", sources=[], user=ALICE, channel="C1")
        assert second.pseudonymizer.pseudonym(ALICE) == first.pseudonymizer.pseudonym(ALICE)
        # an access request through the other replica finds what the first one stored
        asked = second.feedback.export(second.pseudonymizer.person(ALICE))["answers_asked"]
        assert [a["question"] for a in asked] == ["Hoeveel dagen?"]
        assert not (tmp_path / "replica-a" / "pseudonym.key").exists()
        assert not (tmp_path / "replica-b" / "pseudonym.key").exists()
    finally:
        first.close()
        second.close()


def test_the_key_file_of_a_box_that_becomes_a_replica_is_carried_into_the_shared_database(tmp_path, postgres_url):
    alone = Services(make_settings(tmp_path / "box"))
    before = alone.pseudonymizer.pseudonym(ALICE)
    alone.close()
    assert (tmp_path / "box" / "pseudonym.key").exists()

    moved = Services(make_settings(tmp_path / "box", database_url=postgres_url))
    added = Services(make_settings(tmp_path / "new-replica", database_url=postgres_url))
    try:
        assert moved.pseudonymizer.pseudonym(ALICE) == before
        assert added.pseudonymizer.pseudonym(ALICE) == before
    finally:
        moved.close()
        added.close()


def test_a_configured_key_is_used_and_nothing_is_kept_in_the_database(tmp_path, postgres_url):
    given = Services(make_settings(tmp_path / "a", database_url=postgres_url, pseudonym_key="sleutel"))
    other = Services(make_settings(tmp_path / "b", database_url=postgres_url))
    try:
        assert given.pseudonymizer.pseudonym(ALICE) != other.pseudonymizer.pseudonym(ALICE)
    finally:
        given.close()
        other.close()


def test_the_logs_of_a_replica_name_a_person_by_the_pseudonym_the_database_has(tmp_path, postgres_url):
    first = Services(make_settings(tmp_path / "a", database_url=postgres_url))
    second = Services(make_settings(tmp_path / "b", database_url=postgres_url))
    try:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "vraag van %s", (ALICE,), None)
        PseudonymousIds(lambda: second.pseudonymizer).filter(record)
        assert record.getMessage() == f"vraag van {first.pseudonymizer.pseudonym(ALICE)}"
    finally:
        first.close()
        second.close()
