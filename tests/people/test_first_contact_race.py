"""`vraagbaak privacy forget`, run as its own process while another process keeps greeting people:
the forgotten stay forgotten, and no greeting is lost.

First the real store in a second process (Services.first_contacts, as `serve` builds it; on SQLite and
on PostgreSQL), writing as fast as it can, so that a forget lands in the middle of its writes: a store
that reads what is there, adds one and writes the whole back (the text file of the previous version)
brings a forgotten person back nearly every time (4 or 5 of 5 in each of three runs against it). Then a
real `vraagbaak serve` on the fake Slack, greeting everyone who opens its Messages tab while the forgets
run (against the text file: 0, 1 and 2 of 5 brought back in three runs; its writes are further apart)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import sqlalchemy as sa

from bot.people.first_contact import FIRST_CONTACTS, GREETED
from bot.services import Services
from bot.slack.features.greeting import GREETING
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack, payloads
from tests.processes import ChildProcess, run_child

FORGOTTEN = [f"U0PERSON{n}" for n in range(5)]

# The bot's side: Services.first_contacts as `serve` builds it, greeting new people until told to stop.
GREETER = """
import sys
from pathlib import Path
import sqlalchemy as sa

from bot.people.first_contact import FIRST_CONTACTS, GREETED
from bot.services import Services
from bot.settings import load_settings

data, stop, database_url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
settings = load_settings(environ={}, config_path=None, data_dir=data, database_url=database_url)
greeted = Services(settings).first_contacts.once(GREETED)
count = 0
while not stop.exists():
    assert greeted.first_time(f"U0NEW{count}"), "a new person counts as greeted already"
    count += 1
    if count == 20:
        print("greeting", flush=True)
print(count, flush=True)
"""


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}


def forget(data, person: str, env: dict[str, str]) -> None:
    """`vraagbaak privacy forget --user …`, a process of its own."""
    done = run_child([sys.executable, "-m", "bot.cli", "--data-dir", str(data), "privacy", "forget", "--user", person],
                     cwd=data.parent, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "1 gegeven(s)" in done.stdout, done.stdout + done.stderr


def greeted_rows(services: Services) -> int:
    with services.first_contacts.database.read() as db:
        return db.execute(sa.select(sa.func.count()).select_from(FIRST_CONTACTS)
                          .where(FIRST_CONTACTS.c.purpose == GREETED)).scalar()


def greeted_before(data, database_url: str = "") -> tuple[Services, list[str]]:
    """The bot's data folder, with the people to be forgotten greeted; and a check of who came back."""
    services = Services(make_settings(data, database_url=database_url))
    greeted = services.first_contacts.once(GREETED)
    assert all(greeted.first_time(person) for person in FORGOTTEN)

    def brought_back() -> list[str]:
        return [p for p in FORGOTTEN if greeted.knows(services.pseudonymizer.stored_forms(p))]
    return services, brought_back


def test_a_forget_in_another_process_while_the_bot_greets_stays_forgotten(tmp_path, database_url):
    data = tmp_path / "data"
    services, brought_back = greeted_before(data, database_url)
    env = {**clean_environment(), "VRAAGBAAK_DATABASE_URL": database_url}
    stop = tmp_path / "stop"

    with ChildProcess([sys.executable, "-c", GREETER, str(data), str(stop), database_url], cwd=tmp_path, env=env,
                      stdout=subprocess.PIPE, text=True) as greeter:
        assert greeter.stdout.readline().strip() == "greeting"
        for person in FORGOTTEN:  # one `vraagbaak privacy forget` after the other, while the bot writes
            forget(data, person, env)
            assert greeter.poll() is None, "the greeter stopped before the forget was done"
        stop.touch()
        greeted_by_the_bot = int(greeter.stdout.readline())
        assert greeter.wait(timeout=60) == 0

    assert brought_back() == [], "forgotten, then written back by the bot"
    assert greeted_rows(services) == greeted_by_the_bot, "someone the bot greeted was lost (and greeted again later)"


def test_a_forget_while_vraagbaak_serve_greets_stays_forgotten(tmp_path):
    data = tmp_path / "data"
    services, brought_back = greeted_before(data)
    env = clean_environment()
    opened: list[str] = []
    stop = threading.Event()

    def open_messages_tabs(slack: FakeSlack) -> None:
        """New people open the Messages tab, ten at a time, until the forgets are done."""
        while not stop.is_set():
            batch = [f"U0NEW{len(opened) + n}" for n in range(10)]
            for user in batch:
                slack.workspace.add_user(user, user.lower())
            slack.wait_for_acks([slack.push_event(payloads.app_home_opened(user=user, channel="D" + user[1:],
                                                                           tab="messages")) for user in batch], 60)
            opened.extend(batch)

    with FakeSlack() as slack:
        env.update(SLACK_API_URL=slack.api_url, SLACK_BOT_TOKEN=slack.workspace.bot_token,
                   SLACK_APP_TOKEN=slack.workspace.app_token, VRAAGBAAK_DATA_DIR=str(data))
        log = tmp_path / "serve.log"  # a file, not a pipe: a thousand greetings' log lines would fill a pipe
        serve = [sys.executable, "-m", "bot.cli", "serve", "--no-scheduler"]
        with log.open("w") as output, ChildProcess(serve, cwd=tmp_path, env=env, stdout=output,
                                                   stderr=subprocess.STDOUT) as bot:
            slack.wait_until(lambda: bot.poll() is not None or slack.connections >= 1 or None, 600, "serve started")
            assert bot.poll() is None, log.read_text()
            opener = threading.Thread(target=open_messages_tabs, args=(slack,))
            opener.start()
            try:
                slack.wait_until(lambda: len(opened) >= 20 or None, 60, "the first greetings")
                for person in FORGOTTEN:
                    forget(data, person, {k: v for k, v in env.items() if not k.startswith("SLACK_")})
            finally:
                stop.set()
                opener.join(timeout=120)

            def greeting_count() -> int:
                with slack.workspace.lock:
                    return sum(1 for user in opened for m in slack.workspace.messages.get("D" + user[1:], [])
                               if m.get("text") == GREETING)
            slack.wait_until(lambda: greeting_count() == len(opened) or None, 120, "every greeting")

    assert brought_back() == [], "forgotten, then written back by the bot"
    assert len(opened) >= 20 and greeted_rows(services) == len(opened), "each greeted once, and remembered"
