"""Cron expressions from settings: crontab meaning (0 and 7 = Sunday), optional seconds, next runs
computed without a live scheduler, and the options every job gets."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.operations.scheduler import (ReindexScheduler, ScheduleError, cron_trigger, next_run, next_run_times,
                                      planned_jobs)
from tests.conftest import make_settings

AMS = ZoneInfo("Europe/Amsterdam")
WEDNESDAY = datetime(2025, 1, 1, 12, 0, 1, tzinfo=AMS)  # 1 January 2025 was a Wednesday


def fire_after(expression: str, now: datetime = WEDNESDAY) -> datetime:
    return cron_trigger(expression, "Europe/Amsterdam").get_next_fire_time(None, now)


def test_weekday_numbers_mean_what_they_mean_in_crontab():
    assert fire_after("0 2 * * 0") == datetime(2025, 1, 5, 2, 0, tzinfo=AMS)  # Sunday
    assert fire_after("0 2 * * 7") == datetime(2025, 1, 5, 2, 0, tzinfo=AMS)  # Sunday too
    assert fire_after("0 2 * * 1") == datetime(2025, 1, 6, 2, 0, tzinfo=AMS)  # Monday
    assert fire_after("0 2 * * 1-5") == datetime(2025, 1, 2, 2, 0, tzinfo=AMS)  # Thursday
    assert fire_after("0 2 * * sat") == datetime(2025, 1, 4, 2, 0, tzinfo=AMS)


def test_defaults_are_every_quarter_hour_and_nightly_at_two(tmp_path):
    times = next_run_times(make_settings(tmp_path), WEDNESDAY)
    assert times == {"reindex": datetime(2025, 1, 1, 12, 15, tzinfo=AMS),
                     "consistency": datetime(2025, 1, 2, 2, 0, tzinfo=AMS)}


def test_six_fields_put_seconds_first(tmp_path):
    settings = make_settings(tmp_path, reindex_cron="*/2 * * * * *", consistency_cron="")
    assert next_run(settings, WEDNESDAY) == datetime(2025, 1, 1, 12, 0, 2, tzinfo=AMS)


def test_empty_expression_switches_a_job_off(tmp_path):
    settings = make_settings(tmp_path, reindex_cron="", consistency_cron="")
    assert planned_jobs(settings) == []
    assert next_run(settings, WEDNESDAY) is None


def test_the_timezone_of_the_settings_is_used(tmp_path):
    settings = make_settings(tmp_path, reindex_cron="", consistency_cron="0 2 * * *", timezone="UTC")
    assert next_run(settings, WEDNESDAY) == datetime(2025, 1, 2, 2, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("expression", ["* * *", "61 * * * *", "0 2 * * 9", "0 2 * * x-y"])
def test_a_bad_expression_is_a_dutch_error(expression):
    with pytest.raises(ScheduleError, match="cron|dag-van-de-week"):
        cron_trigger(expression, "Europe/Amsterdam")


def test_jobs_coalesce_run_one_at_a_time_and_have_a_grace_time(tmp_path):
    settings = make_settings(tmp_path, misfire_grace_seconds=42)
    schedule = ReindexScheduler.from_settings(settings, reindexer=None)  # type: ignore[arg-type]
    schedule._scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in schedule._scheduler.get_jobs()}
        assert set(jobs) == {"reindex", "consistency"}
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 42)
        assert [j.full for j in schedule.jobs] == [False, True]
    finally:
        schedule.shutdown(wait=False)


def test_an_unknown_time_zone_is_a_dutch_error_not_a_traceback(tmp_path):
    settings = make_settings(tmp_path, timezone="Europe/Atlantis")
    with pytest.raises(ScheduleError, match="ongeldig"):
        ReindexScheduler.from_settings(settings, reindexer=None)  # type: ignore[arg-type]
