"""A question that reaches a curated answer's words, but not its meaning, is embedded once: the
curated-answer check and the search that follows it share the embedding (bot/services.py,
question_embedder)."""

from __future__ import annotations

import pytest

from bot.curation.matching import lexical_match
from bot.services import Services
from language.questions import normalise_question
from tests.conftest import make_settings
from tests.curation.conftest import CURATED_QUESTION, CURATED_TEXT, OWNER, VERLOF, ModelAsked, NoModel
from tests.answering.test_engine import QueryCountingEmbedder
from tests.scheduling.conftest import HR_DOCS, IT_DOCS, write_docs

pytestmark = pytest.mark.slow

NEAR_MISS = "Hoeveel vakantiedagen krijg ik?"  # the curated question's words; its meaning not close enough:
NEVER_CLOSE_ENOUGH = 1.5  # a least similarity no cosine reaches


def test_a_near_miss_is_embedded_once_for_the_curated_check_and_the_search(tmp_path, embedder):
    counting = QueryCountingEmbedder(embedder)
    sources = {"hr": write_docs(tmp_path / "docs" / "hr", HR_DOCS), "it": write_docs(tmp_path / "docs" / "it", IT_DOCS)}
    settings = make_settings(tmp_path / "data", sources=sources, reindex_cron="", consistency_cron="",
                             purge_cron="", gaps_digest_cron="", curated_min_similarity=NEVER_CLOSE_ENOUGH)
    services = Services(settings, embedder=counting, generator=NoModel())
    assert services.reindexer.run(trigger="test").ok
    services.curated.add(question=CURATED_QUESTION, answer=CURATED_TEXT, sources=[VERLOF], owner=OWNER)
    assert lexical_match(NEAR_MISS, CURATED_QUESTION, max_missing=services.curated.max_missing_words)
    counting.queries.clear()

    try:
        answer = services.engine.ask(NEAR_MISS).result()
        assert answer.curated is None
    except ModelAsked:  # not curated: the model was asked, with the passages the search found
        pass

    assert counting.queries == [normalise_question(NEAR_MISS)]
