"""`vraagbaak privacy forget`, run as its own process while another process keeps greeting people
through the first contacts the way `serve` does: the forgotten stay forgotten, and no greeting is lost.

The writer is the real store in a second process (Services.first_contacts, as `serve` builds it),
writing as fast as it can, so that a forget lands in the middle of its writes: a store that reads
what is there, adds one and writes the whole back (the text file of the previous version) brings a
forgotten person back, or drops someone the writer greeted, nearly every time."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from bot.people.first_contact import GREETED
from bot.services import Services
from tests.conftest import make_settings
from tests.processes import ChildProcess, run_child

FORGOTTEN = [f"U0PERSON{n}" for n in range(5)]

# The bot's side: Services.first_contacts as `serve` builds it, greeting new people until told to stop.
GREETER = """
import sys
from pathlib import Path
from bot.people.first_contact import GREETED
from bot.services import Services
from bot.settings import load_settings

data, stop = Path(sys.argv[1]), Path(sys.argv[2])
greeted = Services(load_settings(environ={}, config_path=None, data_dir=data)).first_contacts.once(GREETED)
count = 0
while not stop.exists():
    assert greeted.first_time(f"U0NEW{count}"), "a new person counts as greeted already"
    count += 1
    if count == 20:
        print("greeting", flush=True)
print(count, flush=True)
"""


def test_a_forget_in_another_process_while_the_bot_greets_stays_forgotten(tmp_path):
    data = tmp_path / "data"
    services = Services(make_settings(data))
    greeted = services.first_contacts.once(GREETED)
    assert all(greeted.first_time(person) for person in FORGOTTEN)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    stop = tmp_path / "stop"

    with ChildProcess([sys.executable, "-c", GREETER, str(data), str(stop)], cwd=tmp_path, env=env,
                      stdout=subprocess.PIPE, text=True) as greeter:
        assert greeter.stdout.readline().strip() == "greeting"
        for person in FORGOTTEN:  # one `vraagbaak privacy forget` after the other, while the bot writes
            done = run_child([sys.executable, "-m", "bot.cli", "--data-dir", str(data), "privacy", "forget",
                              "--user", person], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0 and "1 gegeven(s)" in done.stdout, done.stdout + done.stderr
            assert greeter.poll() is None, "the greeter stopped before the forget was done"
        stop.touch()
        greeted_by_the_bot = int(greeter.stdout.readline())
        assert greeter.wait(timeout=60) == 0

    brought_back = [p for p in FORGOTTEN if greeted.knows(services.pseudonymizer.stored_forms(p))]
    assert brought_back == [], "forgotten, then written back by the bot"
    with sqlite3.connect(services.settings.first_contacts_path) as db:
        kept = db.execute("SELECT count(*) FROM first_contacts WHERE purpose = ?", (GREETED,)).fetchone()[0]
    assert kept == greeted_by_the_bot, "someone the bot greeted was lost (and would be greeted again)"
