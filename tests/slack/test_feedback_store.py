"""FeedbackStore: answers and votes in SQLite, exported as JSONL."""

from __future__ import annotations

import io
import json

import pytest

from bot.answering.answer import Source
from bot.feedback import FeedbackStore

SOURCES = [Source("Vakantie en verlof", "hr/vakantie-en-verlof.md", heading="Vakantiedagen", collection="hr")]


def test_votes_are_stored_with_question_answer_and_sources_and_exported(tmp_path):
    store = FeedbackStore(tmp_path / "f" / "feedback.sqlite3")
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
                               "heading": "Vakantiedagen", "collection": "hr", "url": None, "links": []}]
    assert row["channel"] == "C1" and row["asked_by"] == "U1" and row["timestamp"]

    everything = list(store.rows(include_unvoted=True))
    assert len(everything) == 3 and any(r["answer_id"] == second and r["vote"] is None for r in everything)
    # a second store on the same file sees the same data (a restart)
    assert FeedbackStore(store.path).answer(first).sources == SOURCES


def test_only_up_or_down(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    answer_id = store.record_answer(question="q", answer="a", sources=[], user="U1", channel="C1")
    with pytest.raises(ValueError):
        store.vote(answer_id, user="U1", vote="meh")  # type: ignore[arg-type]
