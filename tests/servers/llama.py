"""llama.cpp's own HTTP server (`llama-server`, built by tools/llama-server.sh from the llama.cpp that
llama-cpp-python vendors, with the wheel's flags) on a free loopback port, with `parallel` slots
(continuous batching): each slot answers one request, all slots are decoded together.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.processes import ChildProcess, run_child
from tests.servers.readiness import free_port, wait_until_ready

REPO = Path(__file__).resolve().parents[2]
MODEL_ALIAS = "smollm2"


def llama_server_binary() -> str:
    """The cached binary's path; tools/llama-server.sh builds it first when it is not there yet
    (minutes: `make test` does that before pytest starts)."""
    done = run_child(["bash", str(REPO / "tools" / "llama-server.sh"), sys.executable], timeout=3600,
                     check=True, capture_output=True)
    return done.stdout.decode().strip().splitlines()[-1]


class LlamaServer:
    """`llama-server` with one GGUF model; `start()`, `base_url`, `stop()`."""

    def __init__(self, model: Path, log: Path, *, parallel: int, n_ctx_per_slot: int = 2048,
                 threads: int = 2, binary: str | None = None, extra_args: tuple[str, ...] = ()) -> None:
        self.model = model
        self.log = log
        self.parallel = parallel
        self.n_ctx_per_slot = n_ctx_per_slot
        self.threads = threads
        self.binary = binary
        self.extra_args = extra_args
        self.port = 0
        self.process: ChildProcess | None = None

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API (what VRAAGBAAK_LLM_SERVER_URL points at)."""
        return self.root_url + "/v1"

    def start(self, timeout_s: float = 120.0) -> float:
        """Starts the server; the seconds until /health says the model is loaded."""
        self.port = free_port()
        command = [self.binary or llama_server_binary(), "--model", str(self.model), "--alias", MODEL_ALIAS,
                   "--host", "127.0.0.1", "--port", str(self.port), "--parallel", str(self.parallel),
                   "--ctx-size", str(self.n_ctx_per_slot * self.parallel), "--threads", str(self.threads),
                   "--threads-batch", str(self.threads), "--no-ui", "--slots", "--metrics", *self.extra_args]
        with self.log.open("ab") as out:
            self.process = ChildProcess(command, stdout=out, stderr=subprocess.STDOUT)
        return wait_until_ready(self._healthy, self.process, self.log, name="llama-server", timeout_s=timeout_s)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.root_url + "/health", timeout=2) as response:
                return json.load(response).get("status") == "ok"
        except urllib.error.HTTPError:  # 503 while the model loads
            return False

    def slots(self) -> list[dict]:
        """The server's own view of its slots (GET /slots)."""
        with urllib.request.urlopen(self.root_url + "/slots", timeout=5) as response:
            return json.load(response)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
