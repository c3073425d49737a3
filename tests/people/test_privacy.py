"""AVG/GDPR: pseudonymous user ids with a kept key, the retention period, and `vraagbaak privacy
export/forget/purge` for access and erasure requests (deploy/PRIVACY.md)."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

from bot.cli import main
from bot.services import Services
from tests.conftest import make_settings

ALICE, BOB = "U0ALICE", "U0BOB"


def services(tmp_path, **overrides) -> Services:
    return Services(make_settings(tmp_path / "data", **overrides))


def stored_users(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {u for (u,) in db.execute("SELECT user FROM answers UNION SELECT user FROM votes")}


def age(path, answer_id: str, days: int) -> None:
    """Makes an answer look `days` old."""
    then = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers SET created_at = ? WHERE id = ?", (then, answer_id))


def test_user_ids_are_stored_as_keyed_hashes_with_a_private_key_kept_in_the_data_folder(tmp_path):
    first = services(tmp_path)
    answer_id = first.feedback.record_answer(question="Hoeveel dagen?", answer="25", sources=[], user=ALICE,
                                             channel="C1")
    first.feedback.vote(answer_id, user=BOB, vote="up")

    key_file = first.settings.folders.pseudonym_key_path
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.settings.folders.feedback_path.stat().st_mode) == 0o600
    users = stored_users(first.settings.folders.feedback_path)
    assert ALICE not in users and BOB not in users and all(u.startswith("p_") for u in users)
    # the key is kept: a restarted bot gives the same person the same pseudonym
    again = services(tmp_path)
    assert again.pseudonymizer.pseudonym(ALICE) == first.pseudonymizer.pseudonym(ALICE) in users
    assert first.pseudonymizer.pseudonym(ALICE) != first.pseudonymizer.pseudonym(BOB)


def test_a_key_from_the_settings_is_used_and_pseudonymisation_can_be_turned_off(tmp_path):
    given = services(tmp_path, pseudonym_key="sleutel-van-de-beheerder")
    given.feedback.record_answer(question="v", answer="a", sources=[], user=ALICE, channel="C1")
    assert not given.settings.folders.pseudonym_key_path.exists()
    other = services(tmp_path / "elders", pseudonym_key="een-andere-sleutel")
    assert given.pseudonymizer.pseudonym(ALICE) != other.pseudonymizer.pseudonym(ALICE)

    plain = services(tmp_path / "open", pseudonymise_users=False)
    plain.feedback.record_answer(question="v", answer="a", sources=[], user=ALICE, channel="C1")
    assert stored_users(plain.settings.folders.feedback_path) == {ALICE}


def test_answers_older_than_the_retention_period_go_on_the_next_write_and_by_the_purge(tmp_path, capsys):
    bot = services(tmp_path, retention_days=30)
    old = bot.feedback.record_answer(question="oud", answer="a", sources=[], user=ALICE, channel="C1")
    bot.feedback.vote(old, user=BOB, vote="down")
    kept = bot.feedback.record_answer(question="recent", answer="a", sources=[], user=ALICE, channel="C1")
    age(bot.settings.folders.feedback_path, old, days=31)
    age(bot.settings.folders.feedback_path, kept, days=29)

    bot.feedback.record_answer(question="nieuw", answer="a", sources=[], user=BOB, channel="C1")
    assert [r["question"] for r in bot.feedback.rows(include_unvoted=True)] == ["recent", "nieuw"]

    age(bot.settings.folders.feedback_path, kept, days=45)
    restarted = services(tmp_path, retention_days=30)
    assert restarted.purge_expired()["feedback"] == 1  # what `serve` does at start-up, and the daily job
    assert [r["question"] for r in restarted.feedback.rows(include_unvoted=True)] == ["nieuw"]

    [newest] = [r["answer_id"] for r in restarted.feedback.rows(include_unvoted=True)]
    age(bot.settings.folders.feedback_path, newest, days=100)  # the CLI runs with the default: 90 days
    assert main(["--data-dir", str(tmp_path / "data"), "privacy", "purge"]) == 0
    assert "Bewaartermijn 90 dagen: 1 gegeven(s) verwijderd" in capsys.readouterr().out


def test_export_and_forget_serve_access_and_erasure_requests_by_slack_id(tmp_path, capsys):
    data = tmp_path / "data"
    bot = services(tmp_path)
    asked = bot.feedback.record_answer(question="Vraag van Alice", answer="a", sources=[], user=ALICE, channel="C1")
    bot.feedback.vote(asked, user=BOB, vote="down")
    other = bot.feedback.record_answer(question="Vraag van Bob", answer="b", sources=[], user=BOB, channel="C1")
    bot.feedback.vote(other, user=ALICE, vote="up")

    out = tmp_path / "inzage.json"
    assert main(["--data-dir", str(data), "privacy", "export", "--user", ALICE, "--output", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    feedback_part = document["feedback"]
    assert [a["question"] for a in feedback_part["answers_asked"]] == ["Vraag van Alice"]
    assert [v["vote"] for v in feedback_part["answers_asked"][0]["votes"]] == ["down"]
    assert [(v["answer_id"], v["vote"]) for v in feedback_part["votes_cast"]] == [(other, "up")]
    assert "Vraag van Bob" not in out.read_text(encoding="utf-8")
    assert "2 gegeven(s) over U0ALICE gevonden" in capsys.readouterr().err

    # the feedback export keeps working, with pseudonyms
    feedback = tmp_path / "feedback.jsonl"
    assert main(["--data-dir", str(data), "feedback", "export", "--output", str(feedback)]) == 0
    rows = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()]
    assert {r["user"] for r in rows} == {bot.pseudonymizer.pseudonym(ALICE), bot.pseudonymizer.pseudonym(BOB)}

    assert main(["--data-dir", str(data), "privacy", "forget", "--user", ALICE]) == 0
    assert "3 gegeven(s) over U0ALICE gewist" in capsys.readouterr().out  # her answer, its vote, her vote
    remaining = list(bot.feedback.rows(include_unvoted=True))
    assert [(r["question"], r["vote"]) for r in remaining] == [("Vraag van Bob", None)]
    assert main(["--data-dir", str(data), "privacy", "export", "--user", ALICE]) == 0
    emptied = json.loads(capsys.readouterr().out)
    assert emptied["feedback"] == {"answers_asked": [], "votes_cast": []}


def test_forget_also_finds_ids_stored_before_pseudonymisation_was_on(tmp_path, capsys):
    plain = services(tmp_path, pseudonymise_users=False)
    plain.feedback.record_answer(question="van vroeger", answer="a", sources=[], user=ALICE, channel="C1")
    hashed = services(tmp_path)
    hashed.feedback.record_answer(question="van nu", answer="a", sources=[], user=ALICE, channel="C1")
    assert main(["--data-dir", str(tmp_path / "data"), "privacy", "forget", "--user", ALICE]) == 0
    assert "2 gegeven(s)" in capsys.readouterr().out
    assert list(hashed.feedback.rows(include_unvoted=True)) == []
