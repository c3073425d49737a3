"""Session-wide real servers and per-test pieces of them, for any test that names the fixture:

- `postgres_server` (once per session) and `postgres_url`: a fresh, empty database per test;
- `database_url`: a test run twice, on SQLite (the empty URL: a file per store) and on PostgreSQL;
- `object_store` (once per session) and `s3_bucket`: a fresh, empty bucket per test;
- `llama_server`: llama.cpp's server with the packaged SmolLM2 and 2 slots (a model fixture: slow).

A server that cannot start fails the tests that need it, with the tail of its log.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, TypeVar

import pytest

from tests.servers.llama import LlamaServer
from tests.servers.objectstore import Bucket, SeaweedS3
from tests.servers.postgres import PostgresServer

Server = TypeVar("Server", PostgresServer, SeaweedS3, LlamaServer)


@contextmanager
def _running(server: Server) -> Iterator[Server]:
    """Starts `server` and stops it afterwards, also when the start fails half-way."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory) -> Iterator[PostgresServer]:
    with _running(PostgresServer(tmp_path_factory.mktemp("postgres"))) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """postgresql://… of a database made for this test, dropped after it."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, postgres_server: PostgresServer) -> str:
    """VRAAGBAAK_DATABASE_URL for a test that runs on each engine the storage layer has: empty (a
    SQLite file per store in the data folder) and a fresh PostgreSQL database. The server is named
    here, not fetched only for the second: a session server that starts inside a test would count
    as a process that test left running."""
    return "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def object_store(tmp_path_factory) -> Iterator[SeaweedS3]:
    with _running(SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))) as store:
        yield store


@pytest.fixture
def s3_bucket(object_store: SeaweedS3) -> Bucket:
    """A bucket made for this test (the store is thrown away with the session)."""
    return object_store.create_bucket()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory) -> Iterator[LlamaServer]:
    """llama-server with the packaged SmolLM2, 2 slots of 2048 tokens each."""
    from bot.model_files.resolving import packaged_llm_path

    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with _running(LlamaServer(packaged_llm_path(), log, parallel=2)) as server:
        yield server
