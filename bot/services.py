"""The composition root: every long-lived part is built here, once, lazily, from the settings."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.answering.answer import AnswerEngine
    from bot.answering.llm import Generator
    from bot.answering.template_filling import TemplateFiller
    from bot.answering.templates import TemplateLibrary
    from bot.feedback import FeedbackStore
    from bot.reindexing import Reindexer
    from knowledge.embeddings import Embedder
    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.store import ChunkStore

log = logging.getLogger(__name__)


class Services:
    """Lazily built parts; safe to use from several threads (each part is built once)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()

    def _once(self, name: str, build):
        # cached_property is not thread-safe by itself; loading a model twice costs GBs.
        with self._lock:
            if name not in self.__dict__:
                self.__dict__[name] = build()
            return self.__dict__[name]

    @property
    def embedder(self) -> "Embedder":
        from bot.models import resolve_embedding_model
        from knowledge.embeddings import SentenceTransformerEmbedder

        def build():
            return SentenceTransformerEmbedder(
                resolve_embedding_model(self.settings),
                batch_size=self.settings.embedding_batch_size,
                backend=self.settings.embedding_backend,
            )
        return self._once("embedder", build)

    @property
    def store(self) -> "ChunkStore":
        from knowledge.store import ChunkStore
        return self._once("store", lambda: ChunkStore(self.settings.index_location))

    @property
    def indexer(self) -> "Indexer":
        from knowledge.chunking import Chunker
        from knowledge.indexing import Indexer

        def build():
            chunker = Chunker(self.embedder.count_tokens, max_tokens=self.settings.chunk_tokens,
                              overlap_tokens=self.settings.chunk_overlap_tokens)
            return Indexer(self.store, self.embedder, chunker, lock_dir=self.settings.state_dir)
        return self._once("indexer", build)

    @property
    def retriever(self) -> "Retriever":
        from knowledge.retrieval import Retriever
        return self._once("retriever", lambda: Retriever(self.embedder, self.store))

    @property
    def generator(self) -> "Generator":
        from bot.answering.llm import build_generator
        return self._once("generator", lambda: build_generator(self.settings))

    @property
    def engine(self) -> "AnswerEngine":
        from bot.answering.answer import AnswerEngine
        return self._once("engine", lambda: AnswerEngine.from_parts(
            self.settings, retriever=self.retriever, generator=self.generator))

    @property
    def templates(self) -> "TemplateLibrary":
        from bot.answering.templates import TemplateLibrary
        return self._once("templates", lambda: TemplateLibrary.load(self.settings.templates_dir))

    @property
    def template_filler(self) -> "TemplateFiller":
        from bot.answering.template_filling import TemplateFiller

        def retrieve(query: str, collections: list[str] | None = None):
            return self.engine.retrieve(query, collections=collections)  # the index loads only when used
        return self._once("template_filler", lambda: TemplateFiller(
            self.generator, retrieve=retrieve, temperature=self.settings.temperature,
            top_p=self.settings.top_p, repeat_penalty=self.settings.repeat_penalty))

    @property
    def feedback(self) -> "FeedbackStore":
        from bot.feedback import FeedbackStore
        return self._once("feedback", lambda: FeedbackStore(self.settings.feedback_path))

    @property
    def reindexer(self) -> "Reindexer":
        from bot.reindexing import Reindexer
        return self._once("reindexer", lambda: Reindexer(self.settings, self))

    def close(self) -> None:
        generator = self.__dict__.get("generator")
        if generator is not None:
            generator.close()
