"""bot/people/first_contact.py: the file is the truth, also when another process changes it."""

from bot.people.first_contact import FirstContacts


def test_a_forget_by_another_process_is_not_undone_by_the_running_bot(tmp_path):
    path = tmp_path / "state" / "greeted.txt"
    serving = FirstContacts(path)  # the running bot
    assert serving.first_time("U0ALICE") and serving.first_time("U0BOB")
    assert FirstContacts(path).forget(["U0ALICE"]) == 1  # `vraagbaak privacy forget` in another process
    assert serving.first_time("U0CAROL")  # the bot writes again…
    assert path.read_text().split() == ["U0BOB", "U0CAROL"]  # …without bringing Alice back
    assert not serving.knows(["U0ALICE"])
    assert serving.first_time("U0ALICE")  # forgotten: she is new again
    assert not serving.first_time("U0BOB")


def test_remembered_across_instances_and_once_per_person(tmp_path):
    path = tmp_path / "greeted.txt"
    first = FirstContacts(path, pseudonymize=lambda user: "p-" + user)
    assert first.first_time("U1") and not first.first_time("U1")
    again = FirstContacts(path, pseudonymize=lambda user: "p-" + user)
    assert not again.first_time("U1") and again.knows(["p-U1"])
    assert path.read_text() == "p-U1\n"
    first.undo("U1")
    assert again.first_time("U1")
