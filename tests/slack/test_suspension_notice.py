"""A curated answer suspended by `vraagbaak index` on the command line reaches its owner from the
running `vraagbaak serve` within seconds (over the fake Slack; the re-index in another process)."""

from __future__ import annotations

import os
import sys

import pytest

from bot.answering.types import Source
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.storage.database import Storage
from tests.conftest import TEST_EMBEDDING
from tests.processes import run_child
from tests.slack.conftest import OWNER, bot_settings
from tests.slack.fakes import scripted_engine, serving

pytestmark = pytest.mark.slow

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUESTION = "Hoeveel vakantiedagen heb ik per jaar?"


def cli_index(data_dir, docs) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    env.update({"PYTHONPATH": REPO, "VRAAGBAAK_DATA_DIR": str(data_dir),
                "VRAAGBAAK_MODELS_DIR": str(data_dir / "models"),
                "VRAAGBAAK_SOURCES": f"bedrijf={docs}", "VRAAGBAAK_EMBEDDING_MODEL": TEST_EMBEDDING,
                "VRAAGBAAK_REINDEX_CRON": "", "VRAAGBAAK_CONSISTENCY_CRON": ""})
    result = run_child([sys.executable, "-m", "bot.cli", "index"], cwd=data_dir.parent, env=env,
                       capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_cli_index_that_suspends_a_curated_answer_brings_its_owner_a_dm_from_serve(tmp_path, slack,
                                                                                     scripted_generator, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "vakantie.md").write_text("# Vakantie\n\nIedereen heeft 25 vakantiedagen per jaar.\n", encoding="utf-8")
    settings = bot_settings(tmp_path, slack, sources={"bedrijf": docs}, reindex_cron="", consistency_cron="")
    services = Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                        embedder=embedder, feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    assert services.reindexer.run().ok
    made = services.curated.add(question=QUESTION, answer="Je hebt 25 vakantiedagen per jaar [1].",
                                sources=[Source("Vakantie", "vakantie.md", collection="bedrijf")],
                                owner=OWNER, decided_by="Eigenaar")
    with serving(services, start_timeout=60):
        slack.wait_for_connection()
        (docs / "vakantie.md").write_text("# Vakantie\n\nIedereen heeft 27 vakantiedagen per jaar.\n",
                                          encoding="utf-8")
        cli_index(settings.folders.data_dir, docs)
        assert not services.curated.get(made.id).active, "the command line's run suspended it"
        dm = slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == OWNER, timeout=30)
    assert "gepauzeerd" in str(dm.params["blocks"]) and QUESTION in str(dm.params["blocks"])
    assert services.curated.waiting_owners() == [], "told once"
    assert len(slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == OWNER)) == 1
