"""Small builders for answering tests: hits as the retriever returns them, the fake retrievers' base,
and an engine over a real index of a few small collections."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from bot.answering.engine import AnswerEngine
from knowledge.chunking import Chunker
from knowledge.index.store import ChunkStore
from knowledge.indexing import Indexer
from knowledge.models import Chunk, Hit
from knowledge.retrieval import Retrieval, Retriever
from tests.generators import ScriptedGenerator

# Other documents of a small index: in an index of a handful of passages every word is rare, and one
# unknown word outweighs all the others in the known-term share.
OTHER_TOPICS = ("vakantiedagen aanvragen bij je leidinggevende", "de printer op de tweede verdieping",
                "declaraties van reiskosten met de trein", "thuiswerken en de vergoeding voor internet",
                "het wachtwoord van je laptop wijzigen", "een vergaderruimte reserveren in Outlook",
                "de bedrijfsarts en het preventief spreekuur", "parkeren bij het kantoor in Utrecht",
                "het archief van getekende contracten", "de kerstborrel en de nieuwjaarsreceptie",
                "beveiliging van het netwerk en de firewall", "de lunch in het bedrijfsrestaurant")


def engine_over_collections(root: Path, embedder, documents: Sequence[tuple[str, str, str]],
                            other_topics: Sequence[str] = OTHER_TOPICS) -> AnswerEngine:
    """An engine (top 6, a scripted generator) over a real index in `root` of `documents`, each
    (collection, file name, Markdown text), and one page per other topic in the collection "overig"."""
    store = ChunkStore(str(root / "index"))
    indexer = Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=root / "state")
    others = [("overig", f"onderwerp-{n}.md", f"# Over {topic}\n\nHier lees je alles over {topic}.\n")
              for n, topic in enumerate(other_topics)]
    for collection, name, text in (*documents, *others):
        folder = root / collection
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for folder in root.iterdir():
        if folder.name not in ("index", "state"):
            indexer.reindex(folder, collection=folder.name)
    return AnswerEngine(Retriever(embedder, store), ScriptedGenerator(), embedder=embedder, top_k=6)


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
