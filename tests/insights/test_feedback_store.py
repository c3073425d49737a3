"""FeedbackStore: answers and votes in SQLite, exported as JSONL."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import datetime, timezone

import pytest

from bot.answering.types import Source
from bot.insights.feedback import FeedbackStore
from bot.storage.database import Storage

SOURCES = [Source("Vakantie en verlof", "hr/vakantie-en-verlof.md", heading="Vakantiedagen", collection="hr")]


def test_votes_are_stored_with_question_answer_and_sources_and_exported(tmp_path):
    path = tmp_path / "f" / "feedback.sqlite3"
    store = FeedbackStore(Storage().database(path))
    first = store.record_answer(question="Hoeveel dagen?", answer="25 [1]", sources=SOURCES, user="U1", channel="C1")
    second = store.record_answer(question="Ziek?", answer="Bel je leidinggevende.", sources=[], user="U2", channel="D2")
    assert store.vote(first, user="U3", vote="up")
    assert store.vote(first, user="U4", vote="down")
    assert store.vote(first, user="U3", vote="down")  # changed their mind: one vote per person
    assert not store.vote("onbekend", user="U3", vote="up")

    out = io.StringIO()
    assert store.export_jsonl(out) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {(r["user"], r["vote"]) for r in rows} == {("U3", "down"), ("U4", "down")}
    row = rows[0]
    assert row["question"] == "Hoeveel dagen?" and row["answer"] == "25 [1]"
    assert row["sources"] == [{"title": "Vakantie en verlof", "path": "hr/vakantie-en-verlof.md",
                               "heading": "Vakantiedagen", "collection": "hr", "url": None, "links": [],
                               "page": None, "copies": [], "dated": "", "dated_by": ""}]
    assert row["channel"] == "C1" and row["asked_by"] == "U1" and row["timestamp"]

    everything = list(store.rows(include_unvoted=True))
    assert len(everything) == 3 and any(r["answer_id"] == second and r["vote"] is None for r in everything)
    # a second store on the same file sees the same data (a restart)
    assert FeedbackStore(Storage().database(path)).answer(first).sources == SOURCES


def test_only_up_or_down(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(Storage().database(path))
    answer_id = store.record_answer(question="q", answer="a", sources=[], user="U1", channel="C1")
    with pytest.raises(ValueError):
        store.vote(answer_id, user="U1", vote="meh")  # type: ignore[arg-type]


def _set(path, sql: str, *params) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql, params)


def test_declined_answers_are_kept_apart_and_read_back_since_a_date(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(Storage().database(path))
    answered = store.record_answer(question="Hoeveel dagen?", answer="25", sources=SOURCES, user="U1", channel="C1")
    old = store.record_answer(question="Mag mijn hond mee?", answer="Dat kan ik niet vinden.", sources=[],
                              user="U2", channel="C1", abstained=True)
    new = store.record_answer(question="Is er een sauna?", answer="Dat kan ik niet vinden.", sources=SOURCES,
                              user="U3", channel="D3", abstained=True)
    _set(path, "UPDATE answers SET created_at = ? WHERE id = ?", "2026-11-01T09:00:00+00:00", old)

    assert [a.id for a in store.unanswered()] == [old, new]  # oldest first
    [recent] = store.unanswered(since=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert recent.id == new and recent.abstained and recent.sources == SOURCES
    assert store.unanswered(since=datetime(2026, 11, 20)) == [recent]  # naive = UTC
    assert not store.answer(answered).abstained and store.answer(new).abstained
    assert next(r for r in store.rows(include_unvoted=True) if r["answer_id"] == new)["abstained"] is True


def test_vote_counts_and_the_latest_thumbs_down(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(Storage().database(path))
    first = store.record_answer(question="Een", answer="a", sources=[], user="U1", channel="C1")
    second = store.record_answer(question="Twee", answer="b", sources=[], user="U1", channel="C1")
    third = store.record_answer(question="Drie", answer="c", sources=[], user="U1", channel="C1")
    assert store.vote_counts() == {"up": 0, "down": 0} and store.latest_down() == []
    store.vote(first, user="U2", vote="down")
    store.vote(second, user="U2", vote="down")
    store.vote(second, user="U3", vote="up")
    store.vote(third, user="U2", vote="up")
    store.vote(third, user="U4", vote="down")
    store.vote(third, user="U4", vote="up")  # changed their mind: no 👎 left on the third
    _set(path, "UPDATE votes SET voted_at = ? WHERE answer_id = ?", "2026-11-01T09:00:00+00:00", first)
    _set(path, "UPDATE votes SET voted_at = ? WHERE answer_id = ? AND vote = 'down'",
         "2026-11-25T09:00:00+00:00", second)

    assert store.vote_counts() == {"up": 3, "down": 2}
    assert store.vote_counts(since=datetime(2026, 11, 10, tzinfo=timezone.utc)) == {"up": 3, "down": 1}
    [latest] = store.latest_down()
    assert latest.id == second and latest.question == "Twee"
    assert [a.id for a in store.latest_down(limit=5)] == [second, first]  # newest 👎 first, each answer once
    assert [a.id for a in store.latest_down(limit=None, since=datetime(2026, 11, 10))] == [second]


def test_a_store_from_before_the_abstained_column_is_migrated_on_open(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as db:  # the schema as it was
        db.executescript("""
            CREATE TABLE answers (id TEXT PRIMARY KEY, question TEXT NOT NULL, answer TEXT NOT NULL,
                sources TEXT NOT NULL, user TEXT NOT NULL, channel TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE votes (answer_id TEXT NOT NULL REFERENCES answers(id), user TEXT NOT NULL,
                vote TEXT NOT NULL CHECK (vote IN ('up', 'down')), voted_at TEXT NOT NULL,
                PRIMARY KEY (answer_id, user));
            INSERT INTO answers VALUES ('a1', 'Oud?', 'Ja.', '[]', 'U1', 'C1', '2026-11-30T10:00:00+00:00');
        """)
    store = FeedbackStore(Storage().database(path))
    assert store.answer("a1") is not None and not store.answer("a1").abstained
    declined = store.record_answer(question="Nieuw?", answer="Niet gevonden.", sources=[], user="U1",
                                   channel="C1", abstained=True)
    assert [a.id for a in store.unanswered()] == [declined]
    assert FeedbackStore(Storage().database(path)).answer(declined).abstained  # opening again changes nothing
