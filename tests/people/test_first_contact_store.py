"""bot/people/first_contact.py: once per person and purpose, in the storage layer's database."""

from __future__ import annotations

from bot.people.first_contact import AI_NOTICE, GREETED, FirstContacts
from bot.storage.database import Storage
from bot.storage.stores import Person


def contacts(path, **kwargs) -> FirstContacts:
    return FirstContacts(Storage().database(path), **kwargs)  # a fresh Storage: another process, or a restart


def test_remembered_across_instances_once_per_person_and_purpose(tmp_path):
    path = tmp_path / "first_contacts.sqlite3"
    first = contacts(path, pseudonymize=lambda user: "p-" + user)
    greeted = first.once(GREETED)
    assert greeted.first_time("U1") and not greeted.first_time("U1")
    assert first.once(AI_NOTICE).first_time("U1"), "another purpose is another first time"
    again = contacts(path, pseudonymize=lambda user: "p-" + user)
    assert not again.once(GREETED).first_time("U1") and again.once(GREETED).knows(["p-U1"])
    greeted.undo("U1")
    assert not again.once(GREETED).knows(["p-U1"]) and again.once(AI_NOTICE).knows(["p-U1"])


def test_a_forget_by_another_process_is_not_undone_by_the_running_bot(tmp_path):
    path = tmp_path / "first_contacts.sqlite3"
    serving = contacts(path).once(GREETED)  # the running bot
    assert serving.first_time("U0ALICE") and serving.first_time("U0BOB")
    assert contacts(path).forget(Person("U0ALICE", ("U0ALICE",))) == 1  # `vraagbaak privacy forget`
    assert serving.first_time("U0CAROL")  # the bot writes again…
    assert not serving.knows(["U0ALICE"])  # …without bringing Alice back
    assert serving.first_time("U0ALICE")  # forgotten: she is new again
    assert not serving.first_time("U0BOB")


def test_the_text_files_of_the_previous_version_are_read_in_once_and_removed(tmp_path):
    """Files as the previous version wrote them (tests/storage/previous/ holds them, made by it)."""
    greeted, told = tmp_path / "state" / "greeted.txt", tmp_path / "state" / "ai_notice.txt"
    greeted.parent.mkdir()
    greeted.write_text("p_alice\np_bob\n", encoding="utf-8")
    told.write_text("p_alice\n", encoding="utf-8")
    path = tmp_path / "state" / "first_contacts.sqlite3"
    store = contacts(path, previous_files={GREETED: greeted, AI_NOTICE: told})
    assert not greeted.exists() and not told.exists()
    assert store.export(Person("U0ALICE", ("p_alice",))) == {"greeted_in_messages_tab": True, "ai_notice_shown": True}
    assert store.export(Person("U0BOB", ("p_bob",))) == {"greeted_in_messages_tab": True, "ai_notice_shown": False}

    store.forget(Person("U0ALICE", ("p_alice",)))
    greeted.write_text("p_alice\n", encoding="utf-8")  # an old process still running writes it again
    again = contacts(path, previous_files={GREETED: greeted, AI_NOTICE: told})
    assert not again.once(GREETED).knows(["p_alice"]), "read in once: a forgotten person is not brought back"
    assert not greeted.exists()
