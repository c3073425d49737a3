"""A damaged index in production terms: `vraagbaak doctor` names the table, the
file and the repair command; a question through `vraagbaak ask` or Slack gets a Dutch "the index must
be rebuilt", never a traceback; `vraagbaak index --full` drops the broken table and rebuilds it.

The index is real (LanceDB in tmp_path, built by the real embedder from small Dutch folders) and
damaged on disk with tests/knowledge/index/damage.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.insights.feedback import FeedbackStore
from bot.operations.doctor import FAIL, Doctor
from bot.services import Services
from bot.storage.database import Storage
from knowledge.retrieval import Retriever
from knowledge.index.schema import TABLE
from tests.knowledge.index.damage import DAMAGES
from tests.scheduling.conftest import services_for, write_docs, HR_DOCS, IT_DOCS
from tests.slack.conftest import ADMIN, CHANNEL, USER, bot_settings, running_bot, slack  # noqa: F401 (fixture)
from tests.slack.fakes import slack_generator
from tests.processes import run_child

pytestmark = pytest.mark.slow  # the real embedding model builds the index

REPO = Path(__file__).resolve().parents[2]
# An ordinary (incremental) run reads the table's rows before it merges: these stop it.
STOPS_AN_ORDINARY_RUN = [name for name in DAMAGES
                         if name not in ("deleted newest manifest", "deleted full-text index file")]


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    return {"hr": write_docs(tmp_path / "docs" / "hr", HR_DOCS), "it": write_docs(tmp_path / "docs" / "it", IT_DOCS)}


def indexed(tmp_path: Path, embedder, sources: dict[str, Path]) -> tuple[Services, Path]:
    services = services_for(tmp_path, embedder, sources)
    assert services.reindexer.run(trigger="test").ok
    return services, Path(services.settings.folders.index_location) / f"{TABLE}.lance"


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_doctor_names_the_damaged_file_and_the_repair_command(tmp_path, embedder, sources, damage):
    services, table = indexed(tmp_path, embedder, sources)
    hit = DAMAGES[damage](table)
    result = Doctor(services.settings, load_models=False, check_slack=False).check_index()
    assert result.status == FAIL
    assert f"tabel '{TABLE}'" in result.detail and "beschadigd" in result.detail and hit in result.detail
    assert "`vraagbaak index --full`" in result.fix and "opnieuw opgebouwd" in result.fix


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_index_full_drops_the_broken_table_and_rebuilds_every_collection(tmp_path, embedder, sources, damage):
    services, table = indexed(tmp_path, embedder, sources)
    hit = DAMAGES[damage](table)
    if damage in STOPS_AN_ORDINARY_RUN:  # an ordinary run cannot merge into it, and says what to do
        run = services.reindexer.run(trigger="test")
        assert set(run.failures) == {"hr", "it"}
        assert all("`vraagbaak index --full`" in reason for reason in run.failures.values())

    run = services.reindexer.run(["hr"], full=True, trigger="cli")  # asked for one collection
    assert run.ok, run.failures
    assert run.repaired and hit in run.repaired[0]
    assert set(run.reports) == {"hr", "it"}  # both lived in the dropped table: both are back
    store = services.store
    assert store.damage() == [] and store.stats()["documents"] == 4
    hits = services.retriever.search("Hoeveel vakantiedagen heb ik?", k=1)
    assert hits[0].chunk.doc_id == "verlof.md"
    assert services.reindexer.last_run().repaired == run.repaired  # kept for `vraagbaak status`


def cli(tmp_path: Path, sources: dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    env.update({"PYTHONPATH": str(REPO), "VRAAGBAAK_DATA_DIR": str(tmp_path / "data"),
                "VRAAGBAAK_MODELS_DIR": str(tmp_path / "models"), "VRAAGBAAK_N_CTX": "2048",
                "VRAAGBAAK_SOURCES": ",".join(f"{n}={p}" for n, p in sources.items()),
                "VRAAGBAAK_REINDEX_CRON": "", "VRAAGBAAK_CONSISTENCY_CRON": ""})
    return run_child([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env,
                     capture_output=True, text=True, timeout=900)


def test_ask_says_the_index_must_be_rebuilt_and_index_full_repairs_it(tmp_path, sources):
    """As an admin meets it: `vraagbaak` commands in a shell, one process each."""
    assert cli(tmp_path, sources, "index").returncode == 0
    hit = DAMAGES["truncated data file"](tmp_path / "data" / "index" / f"{TABLE}.lance")

    asked = cli(tmp_path, sources, "ask", "Hoeveel vakantiedagen heb ik?")
    assert asked.returncode == 1
    assert "Fout: De zoekindex is beschadigd (tabel 'chunks': " in asked.stderr and hit in asked.stderr
    assert "`vraagbaak index --full`" in asked.stderr and "Traceback" not in asked.stderr

    status = cli(tmp_path, sources, "status")
    assert status.returncode == 0 and "(niet leesbaar: De zoekindex is beschadigd" in status.stdout
    assert "Traceback" not in status.stderr

    doctor = cli(tmp_path, sources, "doctor")
    assert doctor.returncode == 1 and hit in doctor.stdout and "vraagbaak index --full" in doctor.stdout

    repaired = cli(tmp_path, sources, "index", "--full")
    assert repaired.returncode == 0, repaired.stderr
    assert "De index was beschadigd" in repaired.stdout and hit in repaired.stdout
    answered = cli(tmp_path, sources, "ask", "--json", "Hoeveel vakantiedagen heb ik?")
    assert answered.returncode == 0, answered.stderr
    assert '"abstained"' in answered.stdout and "Traceback" not in answered.stderr


def test_a_question_in_slack_is_told_the_index_must_be_rebuilt(tmp_path, embedder, sources, slack):
    indexed_services, table = indexed(tmp_path, embedder, sources)
    hit = DAMAGES["deleted data file"](table)
    generator = slack_generator()
    settings = bot_settings(tmp_path, slack, sources=sources)
    engine = AnswerEngine(Retriever(embedder, indexed_services.store), generator, embedder=embedder, cache_size=0,
                          max_tokens=32)
    services = Services(settings, engine=engine, generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services):
            event = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
            slack.wait_for_ack(slack.push_event(event))
            told = slack.wait_for_call(
                "chat.postMessage", lambda c: c.params.get("thread_ts") == event["ts"]
                and "beschadigd" in str(c.params.get("text")), timeout=60)
    finally:
        generator.close()
    text = told.params["text"]
    assert text.startswith("Sorry, dat lukte niet: De zoekindex is beschadigd (tabel 'chunks': ")
    assert hit in text and "vraagbaak index --full" in text
    everything = " ".join(str(c.params) for c in slack.calls)
    assert "Traceback" not in everything and "LanceError" not in everything
    assert generator.requests == []  # the model was never asked


def test_a_full_run_that_repairs_tells_the_admins(tmp_path, embedder, sources, slack):
    """The nightly consistency run is a full one: a damaged index is repaired overnight, and said."""
    from bot.slack.features.admin_notice import watch_reindex_failures
    from bot.slack.transport.app import build_client

    services, table = indexed(tmp_path, embedder, sources)
    hit = DAMAGES["truncated newest manifest"](table)
    client = build_client(bot_settings(tmp_path, slack))
    watch_reindex_failures(services.reindexer, client, [ADMIN])
    assert services.reindexer.run(full=True, trigger="schema:consistency").ok
    dm = slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == ADMIN)
    assert dm.params["text"].startswith(":wrench: De index was beschadigd")
    assert "opnieuw opgebouwd" in dm.params["text"] and hit in dm.params["text"]
    assert "schema:consistency" in dm.params["text"]
