"""The real Bolt app, connected over real sockets to tests/fakes/slack, with given answering parts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.settings import Settings
from bot.slack.parts import SlackParts
from bot.slack.transport.app import build_app
from bot.slack.transport.serving import SlackHttpServer, close_quietly, socket_mode_handler
from bot.storage.database import Storage
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack
from tests.generators import ScriptedGenerator
from tests.servers.objectstore import Bucket, SeaweedS3
from tests.slack.fakes import scripted_engine, slack_generator
from tests.slack.replicas import build_index, replica_environment

USER = "U0ALICE"
ADMIN = "U0ADMIN"
OWNER = "U0OWNER"
CHANNEL = "C0ALGEMEEN"
DM = "D0ALICE"
SIGNING_SECRET = "test-signing-secret"


@dataclass
class RunningBot:
    slack: FakeSlack
    parts: SlackParts
    services: Services

    @property
    def workspace(self):
        return self.slack.workspace


def bot_settings(tmp_path: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    values = {"slack_api_url": slack.api_url, "slack_bot_token": slack.workspace.bot_token,
              "slack_app_token": slack.workspace.app_token, "slack_signing_secret": SIGNING_SECRET, **overrides}
    return make_settings(tmp_path / "data", **values)


@contextlib.contextmanager
def running_bot(slack: FakeSlack, services: Services, *, mode: str = "socket", update_interval_s: float = 0.05,
                **app_options: Any) -> Iterator[RunningBot | tuple[RunningBot, SlackHttpServer]]:
    """The app as `vraagbaak serve` runs it, in Socket Mode (default) or HTTP mode; `app_options`
    go to build_app (e.g. quick_threads, answer_threads)."""
    app = build_app(services.settings, **app_options)
    parts = services.slack(app, update_interval_s=update_interval_s)
    bot = RunningBot(slack, parts, services)
    if mode == "http":
        server = SlackHttpServer(app, port=0, host="127.0.0.1").start()
        try:
            yield bot, server
        finally:
            parts.replier.wait_until_idle(10)
            server.shutdown()
            app.listener_runner.listener_executor.shutdown(wait=False)
        return
    handler = socket_mode_handler(app, services.settings.slack.app_token, arrivals=parts.arrivals, ping_interval=1)
    handler.connect()
    try:
        slack.wait_for_connection()
        yield bot
    finally:
        parts.replier.wait_until_idle(10)
        app.listener_runner.listener_executor.shutdown(wait=False)
        # The SDK's close() takes ~3 s (its reader threads poll with 1 s timeouts); nothing
        # depends on it finishing, so the test does not wait for it.
        closer = threading.Thread(target=close_quietly, args=(handler,), name="close-socket-mode", daemon=True)
        closer.start()
        _closing.append(closer)


_closing: list[threading.Thread] = []


@pytest.fixture(scope="session", autouse=True)
def _socket_connections_closed() -> Iterator[None]:
    """The Socket Mode clients closed in the background are done before the session ends."""
    yield
    for closer in _closing:
        closer.join(10)


@pytest.fixture(scope="session")
def replica_index(tmp_path_factory, object_store: SeaweedS3) -> Bucket:
    """The replicas' documents indexed once by `vraagbaak index` into a bucket (tens of seconds on
    two cores); a test's replicas read a copy of it (`indexed_bucket`)."""
    root = tmp_path_factory.mktemp("replica-index")
    bucket = object_store.create_bucket()
    with FakeSlack() as slack:  # the index does not talk to Slack or the model; the variables are set all the same
        build_index(replica_environment(root, slack, bucket, "http://127.0.0.1:9/v1"))
    return bucket


@pytest.fixture
def indexed_bucket(replica_index: Bucket, object_store: SeaweedS3) -> Bucket:
    """A bucket of this test's own holding the replicas' index (`replica_environment`'s documents),
    as `vraagbaak index` left it: the test may re-index it."""
    return object_store.copy_bucket(replica_index)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.workspace.add_user(USER, "alice")
        fake.workspace.add_user(ADMIN, "beheer")
        fake.workspace.add_user(OWNER, "eigenaar", is_owner=True)
        fake.workspace.add_user("U0BOB", "bob")  # a colleague in every channel the tests do not restrict
        yield fake


@pytest.fixture
def scripted_generator() -> Iterator[ScriptedGenerator]:
    generator = slack_generator()
    yield generator
    generator.close()


@pytest.fixture
def scripted_bot_with(tmp_path: Path, slack: FakeSlack,
                      scripted_generator: ScriptedGenerator) -> Iterator[Callable[..., RunningBot]]:
    """Starts the real app with the real AnswerEngine over a scripted model (fast: no real model),
    with further parts given by name (`scripted_bot_with(reindexer=…)`) and settings changed by
    `settings={…}`; it stops after the test."""
    with contextlib.ExitStack() as stack:
        def start(*, settings: dict[str, Any] | None = None, **parts: Any) -> RunningBot:
            settings = bot_settings(tmp_path, slack, **{"admin_user_ids": [ADMIN], **(settings or {})})
            given = {"engine": scripted_engine(scripted_generator), "generator": scripted_generator,
                     "feedback": FeedbackStore(Storage().database(settings.folders.feedback_path)), **parts}
            services = Services(settings, **given)
            return stack.enter_context(running_bot(slack, services))
        yield start


@pytest.fixture
def scripted_bot(scripted_bot_with: Callable[..., RunningBot]) -> RunningBot:
    return scripted_bot_with()
