"""RecentQuestions: a question embedded once is not embedded again while it is among the last ones;
documents and token counts go to the embedder itself."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.embeddings import Embedder, RecentQuestions


class CountingEmbedder:
    """A tiny embedder of our own that says which texts it was asked to embed."""

    name = "telmodel"
    dimension = 3

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.documents: list[str] = []

    def embed_documents(self, texts, progress=None):
        self.documents += texts
        return np.ones((len(texts), 3), dtype=np.float32)

    def embed_query(self, text):
        self.queries.append(text)
        return np.array([len(text), 1.0, 0.0], dtype=np.float32)

    def count_tokens(self, text):
        return len(text.split())


def test_a_question_is_embedded_once_while_it_is_recent():
    inner = CountingEmbedder()
    recent = RecentQuestions(inner, size=2)
    first = recent.embed_query("Hoeveel vakantiedagen heb ik?")
    again = recent.embed_query("Hoeveel vakantiedagen heb ik?")
    assert inner.queries == ["Hoeveel vakantiedagen heb ik?"]
    np.testing.assert_array_equal(first, again)
    recent.embed_query("Wat is de wifi-code?")
    recent.embed_query("Waar staat de fiets?")  # the first question is no longer among the last two
    recent.embed_query("Hoeveel vakantiedagen heb ik?")
    assert inner.queries.count("Hoeveel vakantiedagen heb ik?") == 2


def test_the_shared_vector_cannot_be_changed_by_one_of_its_users():
    recent = RecentQuestions(CountingEmbedder())
    vector = recent.embed_query("vraag")
    with pytest.raises(ValueError):
        vector[0] = 0.0
    assert recent.embed_query("vraag")[0] == len("vraag")


def test_documents_and_token_counts_go_to_the_embedder_itself():
    inner = CountingEmbedder()
    recent = RecentQuestions(inner)
    assert isinstance(recent, Embedder) and (recent.name, recent.dimension) == ("telmodel", 3)
    assert recent.embed_documents(["a", "b"]).shape == (2, 3) and inner.documents == ["a", "b"]
    recent.embed_documents(["a"])
    assert inner.documents == ["a", "b", "a"]  # passages are not remembered
    assert recent.count_tokens("twee woorden") == 2
