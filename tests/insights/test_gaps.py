"""What the documents are missing: declined and 👎 questions since a date, grouped by what they ask,
with counts and example wordings, never a user id; `vraagbaak gaps`, and the digest job."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from bot.cli import build_parser
from bot.insights.gaps import GapGroup, parse_since, render_gaps
from bot.operations.scheduler import DIGEST, ScheduledJob, Scheduler
from bot.services import Services
from tests.conftest import SAMPLE, make_settings
from tests.curation.conftest import VERLOF

pytestmark = pytest.mark.slow
DECLINED = "Dat kan ik niet vinden in de documenten."


def record(services, question: str, user: str, *, declined: bool = True, vote: str | None = None,
           days_ago: int = 0) -> str:
    feedback = services.feedback
    answer_id = feedback.record_answer(question=question, answer=DECLINED if declined else "Zo en zo [1].",
                                       sources=[VERLOF], user=user, channel="C1", abstained=declined)
    if vote:
        feedback.vote(answer_id, user="U0STEMMER", vote=vote)
    if days_ago:
        then = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat(timespec="seconds")
        with sqlite3.connect(services.settings.folders.feedback_path) as db:
            db.execute("UPDATE answers SET created_at = ? WHERE id = ?", (then, answer_id))
            db.execute("UPDATE votes SET voted_at = ? WHERE answer_id = ?", (then, answer_id))
    return answer_id


@pytest.fixture
def company(tmp_path, embedder, sample_index) -> Services:
    """The sample company's index (its words weigh the questions' words), its own feedback store."""
    settings = make_settings(tmp_path / "data", sources={"bedrijf": SAMPLE}, reindex_cron="", consistency_cron="")
    return Services(settings, embedder=embedder, store=sample_index)


@pytest.fixture
def asked(company):
    indexed = company
    record(indexed, "Mag mijn hond mee naar kantoor?", "U0ANNA")
    record(indexed, "mag ik mijn hond meenemen naar kantoor?", "U0BERT")
    record(indexed, "Mag mijn hond mee naar kantoor?", "U0ANNA")
    record(indexed, "Krijg ik een leaseauto bij mijn functie?", "U0CEES")
    record(indexed, "hebben we een leaseauto regeling?", "U0DIRK")
    record(indexed, "Hoe vraag ik een sabbatical aan?", "U0EVA")
    record(indexed, "Wanneer wordt het kerstpakket uitgedeeld?", "U0FRED", declined=False, vote="down")
    record(indexed, "Hoeveel vakantiedagen heb ik?", "U0GIJS", declined=False, vote="up")  # answered well
    record(indexed, "Is er een sauna?", "U0HANS", days_ago=30)  # too long ago
    return indexed


def test_declined_and_voted_down_questions_are_grouped_with_counts_and_examples(asked):
    groups = asked.gaps.groups(since=parse_since("7d"))
    by_example = {g.examples[0]: g for g in groups}
    assert [g.count for g in groups] == [3, 2, 1, 1]
    dog = groups[0]
    assert dog.examples == ["Mag mijn hond mee naar kantoor?", "mag ik mijn hond meenemen naar kantoor?"]
    assert (dog.askers, dog.declined, dog.downvoted) == (2, 3, 0) and dog.nearest_documents == ["Verlof"]
    assert sorted(groups[1].examples) == ["Krijg ik een leaseauto bij mijn functie?",
                                          "hebben we een leaseauto regeling?"]
    assert by_example["Wanneer wordt het kerstpakket uitgedeeld?"].downvoted == 1
    assert "Hoeveel vakantiedagen heb ik?" not in by_example and "Is er een sauna?" not in by_example
    assert "Is er een sauna?" in {g.examples[0] for g in asked.gaps.groups(since=parse_since("60d"))}

    text = json.dumps([g.to_dict() for g in groups]) + render_gaps(groups)
    assert not any(user in text for user in ("U0ANNA", "U0BERT", "U0FRED", "U0STEMMER"))
    assert "p_" not in text  # not even a pseudonym: only how many people asked
    assert "3× (3× niet gevonden; 2 personen): \"Mag mijn hond mee naar kantoor?\"" in render_gaps(groups)


def test_vraagbaak_gaps_json_and_text(asked, capsys):
    args = build_parser().parse_args(["gaps", "--since", "7d", "--json"])
    assert args.func(args, asked) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["questions"] == 7 and printed["groups"][0]["count"] == 3
    args = build_parser().parse_args(["gaps", "--since", "gisteren"])
    assert args.func(args, asked) == 2
    assert "geen periode" in capsys.readouterr().err


def test_the_digest_job_hands_the_groups_to_its_observers(asked):
    received: list[list[GapGroup]] = []
    asked.gaps.digest_ready.add(received.append)
    asked.gaps.digest_ready.add(lambda groups: 1 / 0)  # a failing observer does not stop the digest
    job = ScheduledJob("gaps-digest", "0 9 * * 1", False, "overzicht", DIGEST)
    scheduler = Scheduler(asked.reindexer, [job], timezone="UTC", misfire_grace_seconds=60,
                          digest=asked.gaps.send_digest)
    scheduler.run_job(job)
    [groups] = received
    assert [g.count for g in groups] == [3, 2, 1, 1]


def test_the_digest_names_only_documents_everyone_may_read(tmp_path, embedder):
    """A declined question whose nearest document only HR may read: the digest (the admins and the
    documents' writers read it) counts the question but does not name that document."""
    from bot.answering.types import Source
    from knowledge.index.schema import ModelInfo, chunk_rows
    from knowledge.index.store import ChunkStore
    from knowledge.models import Chunk

    def chunk(doc_id: str, title: str, readers: tuple[str, ...]) -> Chunk:
        return Chunk(id=f"hr:{doc_id}#0", doc_id=doc_id, collection="hr", title=title, headings=(),
                     text=f"{title}: de regels.", ordinal=0, content_hash=doc_id, readers=readers)

    chunks = [chunk("verlof.md", "Verlof", ("everyone",)),
              chunk("salarissen.md", "Salarissen", ("group:hr/personeelszaken",))]
    store = ChunkStore(str(tmp_path / "index"))
    model = ModelInfo(embedder.name, embedder.dimension)
    store.overwrite(chunk_rows(chunks, embedder.embed_documents([c.text for c in chunks]), model), model)
    services = Services(make_settings(tmp_path / "data", reindex_cron="", consistency_cron=""),
                        embedder=embedder, store=store)
    salarissen = Source("Salarissen", "salarissen.md", collection="hr")
    for user in ("U0ANNA", "U0BERT"):
        services.feedback.record_answer(question="Wat verdient een teamleider?", answer=DECLINED,
                                        sources=[salarissen], user=user, channel="D1", abstained=True)
    services.feedback.record_answer(question="Mag mijn hond mee naar kantoor?", answer=DECLINED,
                                    sources=[VERLOF], user="U0CEES", channel="C1", abstained=True)
    by_example = {g.examples[0]: g for g in services.gaps.groups()}
    assert by_example["Wat verdient een teamleider?"].count == 2
    assert by_example["Wat verdient een teamleider?"].nearest_documents == []
    assert by_example["Mag mijn hond mee naar kantoor?"].nearest_documents == ["Verlof"]
    assert "Salarissen" not in render_gaps(services.gaps.groups())
