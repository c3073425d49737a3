"""Several `vraagbaak serve` processes on one fake Slack, as replicas run in production: each its own
process with its own Socket Mode connection (Slack sends each envelope to one of them), all reading
one index in an S3 bucket and asking one llama-server. tests/slack/test_replicas.py checks them and
bench/replicas.py measures them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.slack import FakeSlack
from tests.processes import ChildProcess, run_child
from tests.servers.objectstore import ACCESS_KEY, REGION, SECRET_KEY, Bucket

REPO = Path(__file__).resolve().parents[2]
HR_DOCUMENTS = ("vakantie-en-verlof.md", "ziekmelding-en-verzuim.md", "thuiswerken.md")


def replica_environment(root: Path, slack: FakeSlack, bucket: Bucket, llm_url: str, **extra: str) -> dict[str, str]:
    """What every replica is given: the Slack app, the index in the bucket, the model server, no
    schedule (re-indexing is not under test here), and nothing of the developer's environment."""
    docs = root / "docs"
    if not docs.exists():
        docs.mkdir(parents=True)
        for name in HR_DOCUMENTS:
            (docs / name).write_bytes((REPO / "knowledge" / "sample" / "hr" / name).read_bytes())
    home = root / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.defpath, "HOME": str(home), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
        "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": slack.workspace.bot_token,
        "SLACK_APP_TOKEN": slack.workspace.app_token,
        "VRAAGBAAK_SOURCES": f"hr={docs}", "VRAAGBAAK_MODELS_DIR": str(root / "models"),
        "VRAAGBAAK_INDEX_URI": bucket.uri(), "VRAAGBAAK_INDEX_S3_ENDPOINT": bucket.endpoint,
        "VRAAGBAAK_INDEX_S3_REGION": REGION, "VRAAGBAAK_INDEX_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "VRAAGBAAK_INDEX_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "VRAAGBAAK_LLM_BACKEND": "openai", "VRAAGBAAK_LLM_SERVER_URL": llm_url, "VRAAGBAAK_N_CTX": "2048",
        "VRAAGBAAK_MAX_TOKENS": "48", "VRAAGBAAK_REINDEX_CRON": "", "VRAAGBAAK_CONSISTENCY_CRON": "",
        "VRAAGBAAK_DATA_DIR": str(root / "data"), **extra}


def build_index(environment: dict[str, str]) -> None:
    """`vraagbaak index` into the bucket, as the indexer service does."""
    done = run_child([sys.executable, "-m", "bot.cli", "index"], env=environment, cwd=REPO, timeout=600,
                     capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


@dataclass
class Replica:
    """One `vraagbaak serve` and the Socket Mode connection it opened."""

    name: str
    process: ChildProcess
    log: Path
    connection: int = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crashed machine: no goodbye to Slack, nothing finished."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def start_replica(slack: FakeSlack, root: Path, name: str, environment: dict[str, str], *,
                  own_data_dir: bool = True, timeout_s: float = 300) -> Replica:
    """Starts one replica and waits until its connection is open; its connection id is recorded, so
    a test can tell which replica each envelope went to."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(environment, VRAAGBAAK_DATA_DIR=str(folder / "data")) if own_data_dir else environment
    log = folder / "serve.log"
    before = slack.connections
    with log.open("ab") as out:
        process = ChildProcess([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=REPO,
                               stdout=out, stderr=subprocess.STDOUT)
    replica = Replica(name, process, log)

    def connected():
        assert replica.alive(), f"{name} stopped ({process.returncode}):\n{replica.tail()}"
        return slack.connections > before or None
    slack.wait_until(connected, timeout_s, f"{name}'s Socket Mode connection")
    replica.connection = slack.open_connections[-1]
    return replica


def answered_by(slack: FakeSlack, replicas: list[Replica], event_id: str) -> list[str]:
    """The replicas whose connections this event was delivered to."""
    names = {r.connection: r.name for r in replicas}
    return [names.get(d.connection, "?") for d in slack.deliveries_of(event_id)]
