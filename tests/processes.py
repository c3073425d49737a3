"""Child processes that tests start: each in a process group of its own, and stopped, with everything
it started, when the test ends, whether the test passed, failed or timed out.

`ChildProcess` is `subprocess.Popen` in a new session whose `stop()` (also on leaving a `with`) sends
SIGTERM to the whole group, waits, and sends SIGKILL to what is left; `run_child` is `subprocess.run`
that does the same on a time-out. `descendants()` lists what this process still has running: the
autouse guard in tests/conftest.py fails a test that leaves anything behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


class ChildProcess(subprocess.Popen):
    """A Popen in its own session (process group); `stop()` ends the group, the child's children too."""

    def __init__(self, args, **kwargs) -> None:
        kwargs.setdefault("start_new_session", True)
        super().__init__(args, **kwargs)

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM to the group, then SIGKILL to whatever is still there after `grace_s`."""
        _signal_group(self.pid, signal.SIGTERM)
        try:
            self.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(self.pid, signal.SIGKILL)
        self.wait()
        _wait_until_gone(_group_members(self.pid), grace_s)

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            super().__exit__(*exc)


def run_child(args, *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """`subprocess.run(args, timeout=…)`, but a time-out (or any error) ends the child's whole group."""
    kwargs.setdefault("start_new_session", True)
    if kwargs.pop("capture_output", False):
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    check = kwargs.pop("check", False)
    input_ = kwargs.pop("input", None)
    if input_ is not None:
        kwargs["stdin"] = subprocess.PIPE
    with subprocess.Popen(args, **kwargs) as process:
        try:
            stdout, stderr = process.communicate(input_, timeout=timeout)
        except BaseException:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            _signal_group(process.pid, signal.SIGKILL)  # what the child left running in its group
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done


def become_subreaper() -> None:
    """Orphans below this process are re-parented to it instead of to init (Linux), so `descendants()`
    still finds a grandchild whose parent died first (strace killed before the program it traces)."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, state) of every live process this user can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces and ")"
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found


def _group_members(pgid: int) -> set[int]:
    return {pid for pid, (_, group, state) in _processes().items() if group == pgid and state != "Z"}


def descendants(root: int | None = None) -> dict[int, str]:
    """Live (not zombie) processes below `root` (default: this one), with their command lines."""
    root = os.getpid() if root is None else root
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, todo = {}, list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        if table[pid][2] != "Z":
            found[pid] = _command_line(pid)
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def _alive(pid: int) -> bool:
    try:
        return _processes().get(pid, (0, 0, "Z"))[2] != "Z"
    except OSError:
        return False


def _wait_until_gone(pids: set[int], timeout_s: float) -> set[int]:
    """Waits (polling /proc, a process's end sends us no event) until none of `pids` lives; the rest."""
    deadline = time.monotonic() + timeout_s
    left = {pid for pid in pids if _alive(pid)}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {pid for pid in left if _alive(pid)}
    return left


def end_leftovers(before: set[int], timeout_s: float = 10.0) -> dict[int, str]:
    """Processes below this one that were not there `before` and are still alive after `timeout_s`:
    killed (with their groups), and returned with their command lines so the test can fail."""
    new = {pid: cmd for pid, cmd in descendants().items() if pid not in before}
    if not new:
        return {}
    left = _wait_until_gone(set(new), timeout_s)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return {pid: new[pid] for pid in left}
