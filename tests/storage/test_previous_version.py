"""The data folder of the version before bot/storage (tests/storage/previous/data, written by that
version with previous/make.py) opens as it is: every file migrated in place, nothing lost, every
person still found by `vraagbaak privacy`, and the files made private."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from pathlib import Path

import numpy as np

from bot.cli import main
from bot.services import Services
from tests.conftest import make_settings

PREVIOUS = Path(__file__).parent / "previous" / "data"
KEY = "sleutel-van-de-vorige-versie"  # previous/make.py wrote its pseudonyms with this key
ALICE, BOB = "U0ALICE", "U0BOB"


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def previous_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(PREVIOUS, data)
    for path in data.rglob("*"):
        if path.is_file():
            path.chmod(0o644)  # as a checkout gives them: the store makes them private again
    return data


def test_the_previous_versions_files_open_migrated_with_everything_in_them(tmp_path):
    data = previous_folder(tmp_path)
    services = Services(make_settings(data, pseudonym_key=KEY, retention_days=0, follow_up_days=7))
    registry = services.personal_data  # opens (and migrates) every store

    assert not (data / "state" / "greeted.txt").exists() and not (data / "state" / "ai_notice.txt").exists()
    for path in (services.settings.folders.feedback_path, services.settings.folders.curated_path,
                 services.settings.folders.followed_threads_path, services.settings.folders.first_contacts_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert "schema_migrations" in tables(path)
    assert "curated_meta" in tables(services.settings.folders.curated_path)
    assert "meta" not in tables(services.settings.folders.curated_path)

    alice = registry.export(services.pseudonymizer.person(ALICE))
    asked = alice["feedback"]["answers_asked"]
    assert [a["question"] for a in asked] == ["Hoeveel vakantiedagen heb ik?", "Mag mijn hond mee?"]
    assert [v["vote"] for v in asked[0]["votes"]] == ["down"] and asked[0]["sources"][0]["path"] == "hr/verlof.md"
    assert [v["vote"] for v in alice["feedback"]["votes_cast"]] == ["up"]
    assert [a["id"] for a in alice["curated_answers"]] == ["vast1"]
    assert [(t["channel"], t["thread_ts"]) for t in alice["followed_threads"]] == [("C0KANAAL", "1700000000.000100")]
    assert alice["first_contacts"] == {"greeted_in_messages_tab": True, "ai_notice_shown": True}
    bob = registry.export(services.pseudonymizer.person(BOB))
    assert bob["first_contacts"] == {"greeted_in_messages_tab": False, "ai_notice_shown": True}

    # the order they were written in survives (SQLite's row order becomes the stored sequence)
    rows = list(services.feedback.rows(include_unvoted=True))
    assert [r["question"] for r in rows if r["vote"] is None] == ["Mag mijn hond mee?"]
    assert [a.question for a in services.feedback.unanswered()] == ["Mag mijn hond mee?"]
    assert [a.id for a in services.curated.list()] == ["vast1", "vast2"]
    revision, active = services.curated.store.active(unless=lambda revision: False)
    assert np.frombuffer(active[1][1], dtype=np.float32).tolist() == [2.0] * 4 and revision >= 2

    # and they are written to as before
    new = services.feedback.record_answer(question="Nieuw?", answer="Ja.", sources=[], user=ALICE, channel="C1")
    assert services.feedback.vote(new, user=BOB, vote="up")
    assert [r["question"] for r in services.feedback.rows(include_unvoted=True)][-1] == "Nieuw?"

    # a restart migrates nothing more
    again = Services(make_settings(data, pseudonym_key=KEY, retention_days=0, follow_up_days=7))
    assert [store.migrated_now for store in again.personal_data.stores.values()] == [[], [], [], []]


def test_forget_on_the_previous_versions_files_erases_one_person_everywhere(tmp_path, capsys, monkeypatch):
    data = previous_folder(tmp_path)
    monkeypatch.setenv("VRAAGBAAK_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("VRAAGBAAK_RETENTION_DAYS", "0")  # the files were written once, long ago
    monkeypatch.chdir(tmp_path)
    assert main(["--data-dir", str(data), "privacy", "forget", "--user", ALICE]) == 0
    out = capsys.readouterr().out
    # her two answers, Bob's vote on one of them, her vote; her curated answer; one thread; two first contacts
    assert out.startswith("8 gegeven(s) over U0ALICE gewist"), out
    assert main(["--data-dir", str(data), "privacy", "export", "--user", ALICE]) == 0
    left = json.loads(capsys.readouterr().out)
    assert left["feedback"] == {"answers_asked": [], "votes_cast": []} and left["curated_answers"] == []
    assert left["followed_threads"] == [] and not any(left["first_contacts"].values())
    assert main(["--data-dir", str(data), "privacy", "export", "--user", BOB]) == 0
    bob = json.loads(capsys.readouterr().out)
    assert [a["question"] for a in bob["feedback"]["answers_asked"]] == ["Hoe meld ik me ziek?"]
    assert bob["feedback"]["answers_asked"][0]["votes"] == [], "Alice's vote on it went with her"
    assert [a["id"] for a in bob["curated_answers"]] == ["vast2"] and len(bob["followed_threads"]) == 1
