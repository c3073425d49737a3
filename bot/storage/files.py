"""Files the bot keeps (reports, manifests, keys), written the one way: whole and atomically (a
temporary file in the same folder, renamed into place), with a mode chosen by the caller, and
changed under an fcntl lock that every process on the machine respects.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomically(path: Path, text: str, *, mode: int = 0o600) -> None:
    """`path` holds `text` or what it held before, never half of it; a failed write leaves no
    temporary file behind (nor fills the disk)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_exclusively(path: Path, text: str, *, mode: int = 0o600) -> bool:
    """Writes a new file; False (and nothing written) when it exists already, e.g. another process
    was first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return True


@contextmanager
def locked(lock_file: Path, *, shared: bool = False) -> Iterator[None]:
    """Holds an fcntl lock on `lock_file` (created when missing): exclusive by default, or shared
    with other readers. A process that dies releases its locks, so a stale file never blocks."""
    lock_file = Path(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def held_exclusively(lock_file: Path) -> bool:
    """Whether a process (this one too) holds an exclusive fcntl lock on `lock_file` now (a shared,
    non-blocking lock fails only then); False when the file does not exist."""
    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
