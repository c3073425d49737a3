"""Curated answers over a real index: served at once without the model, marked with who decided it
and its sources, only where its collections may be searched; never for a near-miss; suspended (with
a DM to the owner, once) when a re-index changes or removes a source, not by a consistency check."""

from __future__ import annotations

import pytest

from bot.answering.types import Source
from bot.curation.answers import CuratedAnswers
from bot.curation.store import CuratedStore
from bot.curation.types import CuratedError
from bot.storage.database import Storage
from tests.curation.conftest import CURATED_QUESTION, CURATED_TEXT, OWNER, VERLOF, ModelAsked

pytestmark = pytest.mark.slow


def add(services, **overrides):
    values = {"question": CURATED_QUESTION, "answer": CURATED_TEXT, "sources": [VERLOF], "owner": OWNER,
              "decided_by": "Eva (HR)", **overrides}
    return services.curated.add(**values)


def not_curated(services, question: str, **kwargs) -> bool:
    """The engine did not serve a curated answer: it asked the model, or declined without it."""
    try:
        return services.engine.ask(question, **kwargs).result().curated is None
    except ModelAsked:
        return True


def test_a_close_question_gets_the_curated_answer_without_the_model(indexed):
    curated = add(indexed)
    assert curated.source_fingerprints == {"hr:verlof.md": indexed.store.documents("hr")["verlof.md"]}

    stream = indexed.engine.ask("Hoeveel vakantiedagen krijg ik?")
    assert list(stream) == [CURATED_TEXT]
    answer = stream.result()
    assert answer.curated == curated and answer.text == CURATED_TEXT and answer.sources == [VERLOF]
    assert answer.curated.decided_by == "Eva (HR)" and answer.curated.owner == OWNER
    assert not answer.abstained and answer.language == "nl" and answer.timings["total_s"] < 5
    assert indexed.generator.requests == []


@pytest.mark.parametrize("near_miss", ["Hoeveel ziektedagen heb ik per jaar?",
                                       "Hoeveel vakantiedagen krijgen parttimers?",
                                       "Hoeveel vakantiedagen kan ik meenemen naar volgend jaar?"])
def test_a_near_miss_goes_to_the_model(indexed, near_miss):
    add(indexed)
    assert indexed.curated.match(near_miss) is None
    assert not_curated(indexed, near_miss)


def test_served_only_where_all_its_collections_may_be_searched(indexed):
    from_hr = add(indexed)
    scoped = add(indexed, question="Hoe heet de VPN-client?", answer="Tunnelbaas.", sources=[], collection="it")
    assert indexed.curated.match("Hoeveel vakantiedagen krijg ik?", collections=["it"]) is None
    assert indexed.curated.match("Hoeveel vakantiedagen krijg ik?", collections=["hr", "it"]) == from_hr
    assert indexed.curated.match("hoe heet de vpn client", collections=["hr"]) is None
    assert indexed.curated.match("hoe heet de vpn client", collections=["it"]) == scoped
    assert indexed.curated.match("hoe heet de vpn client") == scoped  # everything searchable
    assert not_curated(indexed, "Hoeveel vakantiedagen krijg ik?", collections=["it"])


def test_a_changed_source_suspends_it_and_the_owner_is_told_once(indexed, tmp_path):
    curated = add(indexed)
    told: list[list] = []
    indexed.curated.suspended.add(told.append)

    assert indexed.reindexer.run(full=True).ok  # a consistency check re-reads everything, changes nothing
    assert indexed.curated.get(curated.id).active and told == []

    verlof = tmp_path / "docs" / "hr" / "verlof.md"
    verlof.write_text("# Verlof\n\nIedereen heeft 27 vakantiedagen per jaar.\n", encoding="utf-8")
    indexed.reindexer.run()
    suspended = indexed.curated.get(curated.id)
    assert suspended.status == "suspended" and "'Verlof' (verlof.md) is gewijzigd" in suspended.suspended_reason
    assert [[a.id for a in batch] for batch in told] == [[curated.id]]
    assert told[0][0].suspended_reason == suspended.suspended_reason
    indexed.reindexer.run()
    assert len(told) == 1  # told once
    assert indexed.curated.match("Hoeveel vakantiedagen krijg ik?") is None
    assert not_curated(indexed, "Hoeveel vakantiedagen krijg ik?")

    again = indexed.curated.reactivate(curated.id)  # reviewed: the source as it is now counts
    assert again.active and again.source_fingerprints["hr:verlof.md"] == indexed.store.documents("hr")["verlof.md"]
    assert indexed.engine.ask("Hoeveel vakantiedagen krijg ik?").result().curated.id == curated.id

    verlof.unlink()
    indexed.reindexer.run()
    assert "is verwijderd" in indexed.curated.get(curated.id).suspended_reason
    with pytest.raises(CuratedError, match="staat niet in de index"):
        indexed.curated.reactivate(curated.id)
    assert len(told) == 2


def test_an_answer_suspended_by_another_process_is_told_by_the_one_that_listens(indexed, tmp_path):
    curated = add(indexed)
    serving = CuratedAnswers(CuratedStore(Storage().database(indexed.settings.folders.curated_path)), indexed.embedder,
                             documents=indexed.store.documents)
    told: list[list] = []
    serving.suspended.add(told.append)
    assert serving.match("Hoeveel vakantiedagen krijg ik?") == curated  # the other process's answer

    (tmp_path / "docs" / "hr" / "verlof.md").write_text("# Verlof\n\nNu 30 dagen.\n", encoding="utf-8")
    indexed.reindexer.run()  # "vraagbaak index" elsewhere: no observers there
    assert serving.match("Hoeveel vakantiedagen krijg ik?") is None  # it sees the suspension at once
    serving.review()  # after its own next run
    assert [a.id for a in told[0]] == [curated.id]


def test_bad_input_is_a_dutch_error(indexed):
    with pytest.raises(CuratedError, match="niet in de index"):
        add(indexed, sources=[Source("Weg", "bestaat-niet.md", collection="hr")])
    with pytest.raises(CuratedError, match="leeg"):
        add(indexed, answer="  ")
    with pytest.raises(CuratedError, match="vraag"):
        add(indexed, question="Hoe?")
    assert indexed.curated.list() == [] and indexed.curated.remove("onbekend") is False
