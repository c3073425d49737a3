"""`vraagbaak scheduler` runs the schedule in the foreground and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.scheduling.conftest import HR_DOCS, write_docs
from tests.processes import ChildProcess

pytestmark = pytest.mark.slow


def test_the_scheduler_command_runs_jobs_and_stops_on_ctrl_c(tmp_path: Path):
    docs = write_docs(tmp_path / "docs", HR_DOCS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    env.update(VRAAGBAAK_SOURCES=f"hr={docs}", VRAAGBAAK_REINDEX_CRON="*/1 * * * * *",
               VRAAGBAAK_CONSISTENCY_CRON="")
    report = tmp_path / "data" / "state" / "last_reindex.json"
    # Ctrl-C as at a terminal: a shell without job control (a CI job's `cmd &`) starts its children
    # with SIGINT ignored, and Python then never raises KeyboardInterrupt; the child gets the default back.
    with ChildProcess([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path / "data"), "scheduler"],
                      cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                      preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as process:
        deadline = time.monotonic() + 600  # a ceiling: the first run ends the wait
        while not report.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert report.exists(), "no scheduled run within the time limit"
        assert json.loads(report.read_text(encoding="utf-8"))["trigger"] == "schema:reindex"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert "incrementele herindexering: '*/1 * * * * *'" in stderr
    assert "Planner gestopt." in stderr and "Traceback" not in stderr
