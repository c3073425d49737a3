"""bot/storage/files.py: files written whole (a temporary file renamed into place), with their mode,
and changed under a lock that other processes respect."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from bot.model_files.checks import MANIFEST_NAME
from bot.storage.files import create_exclusively, held_exclusively, locked, write_atomically
from tests.processes import ChildProcess


def test_a_file_is_written_whole_with_its_mode_and_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "state" / "report.json"
    write_atomically(path, "eerste")
    assert path.read_text() == "eerste" and stat.S_IMODE(path.stat().st_mode) == 0o600
    write_atomically(path, "tweede", mode=0o644)
    assert path.read_text() == "tweede" and stat.S_IMODE(path.stat().st_mode) == 0o644

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomically(path, "derde")
    assert path.read_text() == "tweede" and sorted(p.name for p in path.parent.iterdir()) == ["report.json"]


def test_a_new_file_is_created_once(tmp_path):
    key = tmp_path / "pseudonym.key"
    assert create_exclusively(key, "geheim\n")
    assert not create_exclusively(key, "anders\n")
    assert key.read_text() == "geheim\n" and stat.S_IMODE(key.stat().st_mode) == 0o600


HOLDER = """
import sys
from pathlib import Path
from bot.storage.files import locked
with locked(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_lock_held_by_another_process_is_seen_and_waited_for(tmp_path):
    lock = tmp_path / "x.lock"
    assert not held_exclusively(lock)
    with ChildProcess([sys.executable, "-c", HOLDER, str(lock)], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout.readline() == "held\n"
        assert held_exclusively(lock)
        holder.stdin.write("\n")
        holder.stdin.flush()
        with locked(lock):  # waits for the holder to let go
            assert holder.wait(timeout=60) == 0
    assert not held_exclusively(lock)


RECORDER = """
import sys
from pathlib import Path
from bot.model_files.checks import record_in_manifest
for n in range(60):
    record_in_manifest(Path(sys.argv[1]), f"{sys.argv[2]}-{n}.gguf", n, None)
"""


def test_two_pulls_recording_in_the_manifest_at_once_keep_every_file(tmp_path):
    """The manifest is read, changed and written back: without the lock one pull drops the other's files."""
    recorders = [ChildProcess([sys.executable, "-c", RECORDER, str(tmp_path), name]) for name in ("a", "b")]
    for recorder in recorders:
        with recorder:
            assert recorder.wait(timeout=300) == 0
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert len(manifest) == 120


def test_a_child_reading_while_files_are_replaced_sees_whole_files_only(tmp_path):
    path = tmp_path / "report.json"
    write_atomically(path, json.dumps({"n": 0, "pad": "x" * 100_000}))
    reader = ("import json, sys\nfrom pathlib import Path\n"
              "for _ in range(300): json.loads(Path(sys.argv[1]).read_text())\n")
    with ChildProcess([sys.executable, "-c", reader, str(path)]) as child:
        n = 0
        while child.poll() is None:
            n += 1
            write_atomically(path, json.dumps({"n": n, "pad": "x" * 100_000}))
        assert child.returncode == 0, "a reader saw half a file"
