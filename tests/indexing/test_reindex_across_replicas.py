"""One re-index at a time across replicas: two `vraagbaak index` processes with data folders of their
own (their file locks never meet) share one database, whose lock "reindex" lets only its holder index.
The holder here is another process that took the lock through the storage layer; killing it with
SIGKILL must free the lock (PostgreSQL ends its session, the kernel drops its flock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.indexing.reindexer import BUSY_ELSEWHERE_MESSAGE
from bot.storage.database import Storage
from tests.processes import ChildProcess, run_child
from tests.scheduling.conftest import HR_DOCS, write_docs

pytestmark = pytest.mark.slow  # the replica that gets the lock loads the real embedding model

REPO = Path(__file__).resolve().parents[2]
# Another replica: takes the lock, says so on stdout, and holds it until it is killed.
HOLDER = """
import signal, sys
from pathlib import Path
from bot.storage.database import Storage
held = Storage(sys.argv[1]).database(Path(sys.argv[2])).try_lock("reindex")
print("held" if held is not None else "taken", flush=True)
signal.pause()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request, tmp_path: Path, postgres_server) -> str:
    """One database for both replicas: a shared SQLite file (one machine), or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def child_env(replica: Path, url: str, docs: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    env.update({"PYTHONPATH": str(REPO), "VRAAGBAAK_DATA_DIR": str(replica / "data"),
                "VRAAGBAAK_MODELS_DIR": str(replica / "models"), "VRAAGBAAK_DATABASE_URL": url,
                "VRAAGBAAK_SOURCES": f"hr={docs}", "VRAAGBAAK_REINDEX_CRON": "", "VRAAGBAAK_CONSISTENCY_CRON": ""})
    return env


def index(replica: Path, url: str, docs: Path) -> subprocess.CompletedProcess:
    replica.mkdir(exist_ok=True)
    return run_child([sys.executable, "-m", "bot.cli", "index"], cwd=replica, env=child_env(replica, url, docs),
                     capture_output=True, text=True, timeout=900)


def wait_until_free(url: str, lock_path: Path, timeout_s: float = 30.0) -> None:
    """Until the lock can be taken here (the server may notice the dead holder's session a moment after
    its exit); let go at once."""
    storage = Storage(url)
    try:
        deadline = time.monotonic() + timeout_s
        while (held := storage.database(lock_path).try_lock("reindex")) is None:
            assert time.monotonic() < deadline, "the killed holder's lock was never released"
            time.sleep(0.05)
        held.release()
    finally:
        storage.close()


def test_a_run_while_another_replica_holds_the_lock_is_refused_and_runs_after_the_holder_dies(tmp_path, shared_url):
    docs = write_docs(tmp_path / "docs" / "hr", HR_DOCS)
    holder_dir, replica = tmp_path / "a", tmp_path / "b"
    lock_path = holder_dir / "data" / "state" / "reindex.sqlite3"  # ignored when the URL names the database
    with ChildProcess([sys.executable, "-c", HOLDER, shared_url, str(lock_path)], cwd=tmp_path,
                      env=child_env(holder_dir, shared_url, docs), stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout.readline().strip() == "held"

        refused = index(replica, shared_url, docs)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"Fout: {BUSY_ELSEWHERE_MESSAGE}" in refused.stderr and "Traceback" not in refused.stderr
        state = replica / "data" / "state"
        assert not (state / "last_reindex.json").exists()  # no run, so no run to report
        assert not (replica / "data" / "index").exists()  # nothing indexed

        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=30) == -signal.SIGKILL
        holder.stdout.close()

    wait_until_free(shared_url, lock_path)
    done = index(replica, shared_url, docs)
    assert done.returncode == 0, done.stderr
    assert (replica / "data" / "state" / "last_reindex.json").exists()
    assert (replica / "data" / "index").exists()
