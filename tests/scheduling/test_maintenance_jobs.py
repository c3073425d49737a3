"""The scheduler runs more than re-indexes: the daily privacy purge (a retention
period deletes older records, on the scheduler) and the weekly gaps digest; `vraagbaak schedule` lists
every job. Real APScheduler triggers; synchronised on events, never on sleeps."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.cli import main
from bot.operations.scheduler import DIGEST, PURGE, ScheduledJob, Scheduler, all_jobs, next_run_times
from bot.services import Services
from tests.conftest import make_settings

AMS = ZoneInfo("Europe/Amsterdam")
WEDNESDAY = datetime(2025, 1, 1, 12, 0, 1, tzinfo=AMS)


def aged(services: Services, *days: int) -> list[str]:
    """Answers that look `days` old (each write deletes what is too old: recorded first, aged after)."""
    ids = [services.feedback.record_answer(question="oud", answer="a", sources=[], user="U0ALICE", channel="C1")
           for _ in days]
    with sqlite3.connect(services.settings.folders.feedback_path) as db:
        for answer_id, age in zip(ids, days):
            then = (datetime.now(timezone.utc) - timedelta(days=age)).isoformat(timespec="seconds")
            db.execute("UPDATE answers SET created_at = ? WHERE id = ?", (then, answer_id))
    return ids


def test_by_default_the_purge_runs_daily_and_the_digest_on_monday_morning(tmp_path):
    settings = make_settings(tmp_path)
    jobs = {job.id: job for job in all_jobs(settings)}
    assert set(jobs) == {"reindex", "consistency", "purge", "gaps-digest"}
    assert (jobs["purge"].kind, jobs["gaps-digest"].kind) == (PURGE, DIGEST)
    times = next_run_times(settings, WEDNESDAY, jobs=list(jobs.values()))
    assert times["purge"] == datetime(2025, 1, 2, 3, 30, tzinfo=AMS)
    assert times["gaps-digest"] == datetime(2025, 1, 6, 9, 0, tzinfo=AMS)  # Monday
    off = make_settings(tmp_path, purge_cron="", gaps_digest_cron="")
    assert {job.id for job in all_jobs(off)} == {"reindex", "consistency"}


def test_the_composed_scheduler_has_every_job_and_one_without_its_function_is_left_out(tmp_path):
    services = Services(make_settings(tmp_path / "data"))
    assert [job.id for job in services.scheduler.jobs] == ["reindex", "consistency", "purge", "gaps-digest"]
    only_reindex = Scheduler(None, all_jobs(services.settings), timezone="UTC", misfire_grace_seconds=1)  # type: ignore[arg-type]
    assert [job.id for job in only_reindex.jobs] == ["reindex", "consistency"]


def test_the_scheduled_purge_deletes_what_is_older_than_the_retention_period(tmp_path):
    services = Services(make_settings(tmp_path / "data", retention_days=30, reindex_cron="", consistency_cron="",
                                      gaps_digest_cron="", purge_cron="*/1 * * * * *", follow_up_days=7))
    old, recent = aged(services, 31, 29)
    services.followed_threads.remember("C1", "1.000001", "U0ALICE")
    with sqlite3.connect(services.settings.folders.followed_threads_path) as db:
        db.execute("UPDATE answered SET answered_at = '2020-01-01T00:00:00+00:00'")
    purged, results = threading.Event(), []

    def broken(now=None):
        raise OSError("schijf weg")
    services.curated.store.purge = broken  # a failing store does not keep the others' old records

    def purge():
        results.append(services.purge_expired())
        purged.set()
    schedule = Scheduler.from_settings(services.settings, services.reindexer, purge=purge)
    assert [job.id for job in schedule.jobs] == ["purge"]
    schedule.start()
    try:
        assert purged.wait(30), "the purge never ran"
    finally:
        schedule.shutdown(wait=True)
    assert results[0] == {"feedback": 1, "curated_answers": -1, "followed_threads": 1, "first_contacts": 0,
                          "question_queue": 0}
    assert services.feedback.answer(old) is None and services.feedback.answer(recent) is not None


def test_a_failing_digest_or_purge_does_not_stop_the_scheduler(tmp_path):
    calls: list[str] = []

    def broken():
        calls.append("digest")
        raise RuntimeError("Slack weg")
    purge_job = ScheduledJob("purge", "30 3 * * *", False, "opschoning", PURGE)
    digest_job = ScheduledJob("gaps-digest", "0 9 * * 1", False, "overzicht", DIGEST)
    schedule = Scheduler(None, [purge_job, digest_job], timezone="UTC", misfire_grace_seconds=1,  # type: ignore[arg-type]
                         purge=lambda: calls.append("purge") or {}, digest=broken)
    schedule.run_job(digest_job)  # logged, not raised
    schedule.run_job(purge_job)
    assert calls == ["digest", "purge"]


def test_vraagbaak_schedule_lists_every_job(tmp_path, monkeypatch, capsys):
    for name in [n for n in __import__("os").environ if n.startswith("VRAAGBAAK_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VRAAGBAAK_GAPS_DIGEST_CRON", "0 8 * * 5")
    assert main(["--data-dir", str(tmp_path / "data"), "schedule", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [job["id"] for job in listed["jobs"]] == ["reindex", "consistency", "purge", "gaps-digest"]
    digest = listed["jobs"][-1]
    assert digest["cron"] == "0 8 * * 5" and datetime.fromisoformat(digest["next_run"]).weekday() == 4
    assert main(["--data-dir", str(tmp_path / "data"), "schedule"]) == 0
    assert "privacyopschoning (bewaartermijn 90 dagen): '30 3 * * *'" in capsys.readouterr().out


def test_with_a_sources_file_the_permission_sync_runs_every_ten_minutes_through_the_scheduler(tmp_path):
    from bot.operations.scheduler import PERMISSIONS

    sources = tmp_path / "bronnen.toml"
    sources.write_text('[[source]]\nname = "map"\nkind = "folder"\ncollection = "extra"\npath = "%s"\n' % tmp_path,
                       encoding="utf-8")
    sources.chmod(0o600)
    settings = make_settings(tmp_path / "data", sources_file=sources)
    jobs = {job.id: job for job in all_jobs(settings)}
    assert jobs["permissions"].kind == PERMISSIONS and jobs["permissions"].cron == "*/10 * * * *"
    assert "permissions" not in {job.id for job in all_jobs(make_settings(tmp_path, sources_file=sources,
                                                                           permission_sync_minutes=0))}
    assert "permissions" not in {job.id for job in all_jobs(make_settings(tmp_path))}  # no sources: no job

    services = Services(make_settings(tmp_path / "data", sources_file=sources, reindex_cron="", consistency_cron="",
                                      purge_cron="", gaps_digest_cron=""))
    ran = threading.Event()
    schedule = Scheduler(services.reindexer, [ScheduledJob("permissions", "*/1 * * * * *", False, "leesrechten",
                                                           PERMISSIONS)],
                         timezone="UTC", misfire_grace_seconds=5, permissions=lambda: ran.set() or {})
    schedule.start()
    try:
        assert ran.wait(30), "the permission sync never ran"
    finally:
        schedule.shutdown(wait=True)
    assert [job.id for job in services.scheduler.jobs] == ["permissions"]
