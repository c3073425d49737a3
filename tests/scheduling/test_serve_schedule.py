"""`vraagbaak serve` starts the schedule next to Slack: scheduled runs happen, a failed one reaches the
admins as a DM through the same app client, and stopping the bot stops the schedule."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.errors import ReindexBusyError
from bot.insights.feedback import FeedbackStore
from bot.storage.database import Storage
from tests.scheduling.conftest import ADMIN
from bot.services import Services
from tests.slack.conftest import bot_settings
from tests.slack.fakes import scripted_engine, serving, slack_generator

pytestmark = pytest.mark.slow


def test_serve_runs_the_schedule_and_tells_admins_about_failures(tmp_path: Path, embedder, two_collections, slack):
    sources = {**two_collections, "wiki": tmp_path / "wiki-bestaat-niet"}
    settings = bot_settings(tmp_path, slack, sources=sources, admin_user_ids=[ADMIN],
                            reindex_cron="*/1 * * * * *", consistency_cron="")
    generator = slack_generator()
    services = Services(settings, engine=scripted_engine(generator), generator=generator, embedder=embedder,
                            feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with serving(services):
            dm = slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == ADMIN, timeout=60)
            assert "Herindexering mislukt" in dm.params["text"] and "wiki" in dm.params["text"]
            last = services.reindexer.last_run()
            assert last.trigger == "schema:reindex" and set(last.reports) == {"hr", "it"}
            later = last.started_at
            assert slack.wait_until(lambda: services.reindexer.last_run().started_at > later, 30, "more runs")
            assert len(slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == ADMIN)) == 1, \
                "the same failure is told once (and daily), not on every run"
            assert services.store.stats()["documents"] == 4
    finally:
        generator.close()
    # The schedule stopped with the bot: its thread is gone, and the re-indexer takes no new run.
    assert not [t for t in threading.enumerate() if t.name == "APScheduler" and t.is_alive()]
    runs = services.reindexer.last_run().started_at
    with pytest.raises(ReindexBusyError, match="gestopt"):
        services.reindexer.run()
    assert services.reindexer.last_run().started_at == runs
