"""A real index of two small collections (LanceDB in tmp_path, the session's embedder) and a model
that must not be asked: curated answers are served without it."""

from __future__ import annotations

import pytest

from bot.answering.types import Source
from bot.services import Services
from tests.conftest import make_settings
from tests.scheduling.conftest import HR_DOCS, IT_DOCS, write_docs

CURATED_QUESTION = "Hoeveel vakantiedagen heb ik per jaar?"
CURATED_TEXT = "Bij een volledige werkweek heb je 25 vakantiedagen per jaar [1]."
VERLOF = Source("Verlof", "verlof.md", heading="Verlof", collection="hr")
OWNER = "U0BEHEER"


class ModelAsked(Exception):
    """The model was asked: the question did not get a curated answer."""


class NoModel:
    """A generator that refuses to generate: reaching it is what a test observes."""

    model_name = "geen-model"
    n_ctx = 4096

    def __init__(self) -> None:
        self.requests: list = []

    def submit(self, request):
        self.requests.append(request)
        raise ModelAsked(request.messages[-1]["content"][-200:])

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def queue_length(self) -> int:
        return 0

    def close(self) -> None:
        pass


@pytest.fixture
def indexed(tmp_path, embedder) -> Services:
    """Services over an indexed `hr` and `it` collection, with a model that must not be asked."""
    sources = {"hr": write_docs(tmp_path / "docs" / "hr", HR_DOCS), "it": write_docs(tmp_path / "docs" / "it", IT_DOCS)}
    settings = make_settings(tmp_path / "data", sources=sources, reindex_cron="", consistency_cron="",
                             purge_cron="", gaps_digest_cron="")
    services = Services(settings, embedder=embedder, generator=NoModel())
    run = services.reindexer.run(trigger="test")
    assert run.ok, run.failures
    return services
