"""SentenceTransformerEmbedder with the real packaged all-MiniLM-L6-v2."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embeddings import Embedder, SentenceTransformerEmbedder
from knowledge.errors import EmbeddingError

pytestmark = pytest.mark.slow

TEXTS = ["Je krijgt 25 vakantiedagen per jaar.",
         "Een wachtwoord heeft minstens veertien tekens en je wijzigt het nooit via een link in een mail.",
         "Fiets"]


def test_vectors_are_normalised_float32_in_input_order(embedder):
    assert isinstance(embedder, Embedder)
    done: list[int] = []
    vectors = embedder.embed_documents(TEXTS, progress=done.append)
    assert vectors.shape == (3, embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert sum(done) == 3
    for text, vector in zip(TEXTS, vectors):  # length sorting inside must not reorder the output
        assert float(vector @ embedder.embed_documents([text])[0]) > 0.999
    assert embedder.embed_documents([]).shape == (0, embedder.dimension)


def test_query_and_passage_of_one_topic_are_closer_than_of_another(embedder):
    query = embedder.embed_query("hoeveel tekens moet mijn wachtwoord hebben")
    passages = embedder.embed_documents(TEXTS)
    assert float(query @ passages[1]) > float(query @ passages[2])


def test_count_tokens_uses_the_model_tokenizer(embedder):
    assert embedder.count_tokens("") == 0
    assert embedder.count_tokens("vakantiedagen") > 1  # Dutch words break into several word pieces


def test_e5_models_get_query_and_passage_prefixes(tmp_path, embedder):
    from bot.model_files.resolving import packaged_minilm_path

    e5_folder = tmp_path / "tiny-e5-copy"
    e5_folder.symlink_to(packaged_minilm_path(), target_is_directory=True)
    e5 = SentenceTransformerEmbedder(str(e5_folder), precision=embedder.precision)
    assert e5.name == "tiny-e5-copy"
    plain = embedder._model
    expected_query = plain.encode(["query: waar is de fietsenstalling"], normalize_embeddings=True)[0]
    expected_passage = plain.encode(["passage: De stalling is in de kelder."], normalize_embeddings=True)[0]
    assert float(e5.embed_query("waar is de fietsenstalling") @ expected_query) > 0.999
    assert float(e5.embed_documents(["De stalling is in de kelder."])[0] @ expected_passage) > 0.999
    assert float(embedder.embed_query("waar is de fietsenstalling") @ expected_query) < 0.999


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(EmbeddingError, match="kon niet worden geladen"):
        SentenceTransformerEmbedder(str(tmp_path / "geen-model"))
