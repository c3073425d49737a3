"""Small builders for answering tests: hits as the retriever returns them, and the fake retrievers' base."""

from __future__ import annotations

from knowledge.models import Chunk, Hit
from knowledge.retrieval import Retrieval


def make_hit(text: str, *, doc_id: str = "hr/verlof.md", title: str = "Verlof", headings=("Verlof",),
             relevance: float = 0.8, rank: int = 1, ordinal: int = 0, collection: str = "bedrijf") -> Hit:
    chunk = Chunk(id=f"{collection}:{doc_id}#{ordinal}", doc_id=doc_id, collection=collection, title=title,
                  headings=tuple(headings), text=text, ordinal=ordinal, content_hash="h")
    return Hit(chunk=chunk, score=relevance, rank=rank, relevance=relevance)


class FoundHits:
    """Base of the fake retrievers: a subclass says what `search` finds; `retrieve` hands those hits
    to the engine as the real Retriever's one value does, with no index behind them (no version, so
    nothing is cached; no vocabulary or vector candidates, so the passages stand in for the index)."""

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        raise NotImplementedError

    def retrieve(self, question: str, *, k: int = 5, mode: str = "hybrid",
                 collections: list[str] | None = None, readers: list[str] | None = None) -> Retrieval:
        """What `search` finds that one of `readers` may read, as the real index filters it."""
        hits = self.search(question, k=k, mode=mode, collections=collections)
        if readers is not None:
            hits = [h for h in hits if set(h.chunk.readers) & set(readers)]
        return Retrieval(hits)

    def index_version(self) -> int | None:
        return None

    def document_readers(self, collection: str) -> dict[str, tuple[str, ...]]:
        """Who may read each document these hits come from (a document not listed is not restricted)."""
        return {}
