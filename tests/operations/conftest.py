"""Fixtures for the operations tests: llama-cpp-python's own OpenAI-compatible server on localhost."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from typing import Iterator

import pytest

from tests.processes import ChildProcess
from tests.servers.readiness import free_port, wait_until_ready

MODEL_ALIAS = "smollm2"


def _offers_a_model(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(json.load(response).get("data"))


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory) -> Iterator[str]:
    """`python -m llama_cpp.server` with the packaged SmolLM2 on a free port; yields its /v1 base URL."""
    pytest.importorskip("fastapi", reason="llama-cpp-python's server extra is a test dependency")
    from bot.model_files.resolving import packaged_llm_path

    port = free_port()
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(packaged_llm_path()),
               "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
               "--n_ctx", "2048", "--n_threads", "2", "--n_threads_batch", "2", "--verbose", "false"]
    with log.open("wb") as out, ChildProcess(command, stdout=out, stderr=subprocess.STDOUT) as process:
        base_url = f"http://127.0.0.1:{port}/v1"
        wait_until_ready(lambda: _offers_a_model(base_url + "/models"), process, log,
                         name="llama_cpp.server", timeout_s=90)
        yield base_url


HR_DOCUMENTS = ("vakantie-en-verlof.md", "ziekmelding-en-verzuim.md", "thuiswerken.md")


@pytest.fixture(scope="session")
def hr_index(tmp_path_factory, embedder) -> str:
    """Three HR documents of the sample company, indexed by the real Indexer; yields the LanceDB URI."""
    import shutil

    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.index.store import ChunkStore
    from tests.conftest import SAMPLE

    root = tmp_path_factory.mktemp("hr-index")
    docs = root / "docs"
    docs.mkdir()
    for name in HR_DOCUMENTS:
        shutil.copy(SAMPLE / "hr" / name, docs / name)
    uri = str(root / "index")
    Indexer(ChunkStore(uri), embedder, Chunker(embedder.count_tokens), lock_dir=root / "state").reindex(
        docs, collection="hr")
    return uri
