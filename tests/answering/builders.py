"""Small builders for answering tests: hits as the retriever returns them."""

from __future__ import annotations

from knowledge.models import Chunk, Hit


def make_hit(text: str, *, doc_id: str = "hr/verlof.md", title: str = "Verlof", headings=("Verlof",),
             relevance: float = 0.8, rank: int = 1, ordinal: int = 0, collection: str = "bedrijf") -> Hit:
    chunk = Chunk(id=f"{collection}:{doc_id}#{ordinal}", doc_id=doc_id, collection=collection, title=title,
                  headings=tuple(headings), text=text, ordinal=ordinal, content_hash="h")
    return Hit(chunk=chunk, score=relevance, rank=rank, relevance=relevance)
