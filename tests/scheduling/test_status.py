"""`vraagbaak status --json` in a separate process knows the last run (with failures and reasons)
and the next one; a failed run reaches the admins as a Slack DM."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.operations.status import gather_status, render_status
from tests.fakes.slack import FakeSlack
from tests.scheduling.conftest import services_for, write_docs
from tests.processes import run_child

pytestmark = pytest.mark.slow

ADMIN = "U0BEHEER"


def status_from_another_process(tmp_path: Path, sources: dict[str, Path], **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    clean.update({"VRAAGBAAK_SOURCES": ",".join(f"{n}={p}" for n, p in sources.items()), **env})
    result = run_child([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path / "data"),
                        "status", "--json"], cwd=tmp_path, env=clean, capture_output=True,
                       text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_status_json_from_another_process_has_last_and_next_run(tmp_path, embedder, two_collections):
    (two_collections["it"] / "kapot.pdf").write_bytes(b"%PDF-1.4 dit is geen echte pdf")
    services = services_for(tmp_path, embedder, two_collections)
    run = services.reindexer.run(trigger="test")

    status = status_from_another_process(tmp_path, two_collections, VRAAGBAAK_REINDEX_CRON="*/15 * * * *",
                                         VRAAGBAAK_CONSISTENCY_CRON="0 2 * * *")
    index = status["index"]
    assert (index["documents"], index["last_reindex"]) == (4, run.started_at)
    assert isinstance(index["chunks"], int) and index["chunks"] >= 4
    next_run = datetime.fromisoformat(status["schedule"]["next_run"])
    assert 0 < (next_run - datetime.now(timezone.utc)).total_seconds() <= 15 * 60
    assert [j["id"] for j in status["schedule"]["jobs"]] == ["reindex", "consistency"]
    last = status["reindex"]["last_run"]
    assert (last["trigger"], last["added"], last["ok"]) == ("test", 4, True)
    assert [f["path"] for f in last["failed"]] == ["it:kapot.pdf"] and last["failed"][0]["reason"]
    assert set(status["collections"]) == {"hr", "it"}
    it = status["collections"]["it"]
    assert (it["documents"], it["configured"], it["next_run"]) == (2, True, status["schedule"]["next_run"])
    assert it["last_run"]["failed"][0]["path"] == "kapot.pdf"
    assert status["model"]["index_embedding"] == embedder.name
    assert status["queue"] == {"length": None, "model_loaded": False}


def test_each_collection_keeps_its_own_last_run(tmp_path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)
    first = services.reindexer.run()
    write_docs(two_collections["hr"], {"nieuw.md": "# Nieuw\n\nEen nieuwe regeling.\n"})
    second = services.reindexer.run(["hr"])
    status = gather_status(services.settings, services.store, services.reindexer)
    assert status["collections"]["hr"]["last_run"]["started_at"] == second.started_at
    assert status["collections"]["hr"]["last_run"]["added"] == ["nieuw.md"]
    assert status["collections"]["it"]["last_run"]["started_at"] == first.started_at
    assert status["index"]["last_reindex"] == second.started_at


def test_status_counts_the_files_the_last_run_did_not_read(tmp_path, embedder, two_collections):
    for unread in ("schema.psd", "logo.psd", "LICENSE", ".DS_Store"):
        (two_collections["it"] / unread).write_bytes(b"\x00binair")
    (two_collections["hr"] / "foto.jpg").write_bytes(b"\xff\xd8")
    services_for(tmp_path, embedder, two_collections).reindexer.run(trigger="test")

    elsewhere = services_for(tmp_path, embedder, two_collections)  # reads back from the state folder
    status = gather_status(elsewhere.settings, elsewhere.store, elsewhere.reindexer)
    last = status["reindex"]["last_run"]
    assert last["not_read"] == {".psd": 2, ".jpg": 1, "(zonder extensie)": 1}  # summed over the collections
    assert status["collections"]["it"]["last_run"]["not_read"] == {".psd": 2, "(zonder extensie)": 1}
    assert status["collections"]["hr"]["last_run"]["not_read"] == {".jpg": 1}
    assert last["failed"] == []  # not read is not failed
    assert ("    – niet gelezen (bestandstype niet ondersteund): 2 × .psd, 1 × .jpg, 1 × (zonder extensie)"
            in render_status(status).splitlines())


def test_without_a_schedule_next_run_is_null_and_the_text_says_so(tmp_path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)  # both cron settings empty
    status = gather_status(services.settings, services.store, services.reindexer)
    assert status["schedule"]["next_run"] is None and status["index"]["last_reindex"] is None
    text = render_status(status)
    assert "Laatste herindexering: nog niet gedaan" in text
    assert "geen schema ingesteld" in text


def test_a_failed_run_sends_the_admins_a_dm_with_the_reason(tmp_path, embedder, two_collections):
    from bot.slack.features.admin_notice import watch_reindex_failures
    from bot.slack.transport.app import build_client
    from tests.conftest import make_settings

    sources = {**two_collections, "wiki": tmp_path / "bestaat-niet"}
    services = services_for(tmp_path, embedder, sources)
    with FakeSlack() as slack:
        client = build_client(make_settings(tmp_path, slack_api_url=slack.api_url,
                                            slack_bot_token=slack.workspace.bot_token))
        watch_reindex_failures(services.reindexer, client, [ADMIN])
        run = services.reindexer.run(trigger="schema:reindex")
        assert not run.ok and "wiki" in run.failures
        dm = slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == ADMIN)
        assert "Herindexering mislukt" in dm.params["text"] and "wiki" in dm.params["text"]
        assert "bestaat niet" in dm.params["text"] and "schema:reindex" in dm.params["text"]

        # A file that cannot be read is told once, not on every run after that.
        del sources["wiki"]
        services = services_for(tmp_path, embedder, sources)
        watch_reindex_failures(services.reindexer, client, [ADMIN])
        (two_collections["hr"] / "kapot.docx").write_bytes(b"geen zip, dus geen docx")
        services.reindexer.run()
        services.reindexer.run()
        dms = slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == ADMIN)
        assert len(dms) == 2 and "hr:kapot.docx" in dms[1].params["text"]
        assert "mislukt" not in dms[1].params["text"].split("\n")[0]  # the run itself went fine


def test_the_cli_status_prints_dutch_text(tmp_path, two_collections):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    clean["VRAAGBAAK_SOURCES"] = ",".join(f"{n}={p}" for n, p in two_collections.items())
    result = run_child([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path / "data"), "status"],
                       cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Volgende herindexering:" in result.stdout and "Collectie hr" in result.stdout
    assert "*" not in result.stdout  # mrkdwn stars are for Slack


def test_a_lasting_failure_is_told_again_after_the_reminder_time_and_a_relapse_at_once(tmp_path):
    from bot.indexing.reindexer import RunReport
    from bot.slack.features.admin_notice import FailedRunNotifier
    from bot.slack.transport.app import build_client
    from knowledge.models import IndexReport
    from tests.conftest import make_settings

    failed = RunReport(started_at="2025-01-06T02:00:00+00:00", failures={"wiki": "De bronmap bestaat niet."},
                       trigger="schema:consistency")
    fine = RunReport(started_at="2025-01-06T02:15:00+00:00", reports={"wiki": IndexReport()})
    with FakeSlack() as slack:
        client = build_client(make_settings(tmp_path, slack_api_url=slack.api_url,
                                            slack_bot_token=slack.workspace.bot_token))
        daily = FailedRunNotifier(client, [ADMIN])
        for report in (failed, failed, fine, failed):  # told, not again, recovered, relapse told
            daily(report)
        impatient = FailedRunNotifier(client, ["U0ANDER"], remind_after_s=0)
        impatient(failed)
        impatient(failed)
        assert len(slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == ADMIN)) == 2
        assert len(slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == "U0ANDER")) == 2
