"""The sample company indexed with the offline default embedder (multilingual-e5-small), as `make demo`
indexes it: a minute and a half of embedding on two cores, needed by one test late in tests/answering.

When that test is collected, `start()` begins the index in a child process at the lowest priority as
soon as collection ends, so it is built on the core the suite leaves idle (the tests mostly wait on
sockets, servers and one another); `sample_store()` waits for it and opens it. The test sees the same index
it would have built itself: the same readers, chunker and embedder, into a folder of its own.

    python -m tests.early_index FOLDER   # what the child runs: FOLDER/index, FOLDER/state
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.processes import ChildProcess

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "knowledge" / "sample"
_started: list[tuple[Path, ChildProcess]] = []


def start() -> None:
    """Begins indexing the sample in the background, into a folder of its own (once a session)."""
    if _started:
        return
    folder = Path(tempfile.mkdtemp(prefix="vraagbaak-e5-sample-"))
    with (folder / "build.log").open("ab") as log:
        _started.append((folder, ChildProcess([sys.executable, "-m", "tests.early_index", str(folder)], cwd=REPO,
                                              stdout=log, stderr=subprocess.STDOUT)))


def sample_store(tmp_path_factory, timeout_s: float = 900):
    """The sample's index: waited for when it was started in the background, else built now."""
    from knowledge.index.store import ChunkStore

    if not _started:
        folder = tmp_path_factory.mktemp("e5-sample")
        build(folder)
        return ChunkStore(str(folder / "index"))
    folder, process = _started[0]
    _priority_back(process.pid)
    if process.wait(timeout=timeout_s) != 0:
        raise AssertionError("indexing the sample failed:\n" + (folder / "build.log").read_text()[-3000:])
    return ChunkStore(str(folder / "index"))


def _priority_back(pid: int) -> None:
    """Waited for now: every thread of the child (a nice value is per thread on Linux) back at the
    suite's own priority, if this user may raise it; otherwise it goes on at the lowest."""
    tasks = Path(f"/proc/{pid}/task")
    for tid in ([int(t.name) for t in tasks.iterdir()] if tasks.exists() else [pid]):
        try:
            os.setpriority(os.PRIO_PROCESS, tid, 0)
        except (PermissionError, ProcessLookupError):
            pass


def stop() -> None:
    """Ends the background index if nobody waited for it (a run that stopped early), and removes it."""
    while _started:
        folder, process = _started.pop()
        process.stop()
        shutil.rmtree(folder, ignore_errors=True)


def build(folder: Path) -> None:
    from bot.model_files.resolving import packaged_e5_small_path
    from knowledge.chunking import Chunker
    from knowledge.embeddings import open_embedder
    from knowledge.index.store import ChunkStore
    from knowledge.indexing import Indexer

    embedder = open_embedder(str(packaged_e5_small_path()))
    Indexer(ChunkStore(str(folder / "index")), embedder, Chunker(embedder.count_tokens),
            lock_dir=folder / "state").reindex(SAMPLE, collection="bedrijf")


if __name__ == "__main__":
    from bot.settings import offline_environment

    os.nice(19)  # only the time the suite leaves idle, until a test waits for it
    offline_environment()
    build(Path(sys.argv[1]))
