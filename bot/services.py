"""The composition root: every long-lived part is built here, once, lazily, from the settings, and
handed to the parts that use it through their constructors; observers are connected here too. The
Slack side is built by `Services.slack(app)`, through bot/slack/composition.py, from the parts made
here. Only the front ends import this module: `bot.cli` builds the container, the CLI commands
(bot/commands/) and `vraagbaak serve` (bot.slack.transport.serving) take the parts they need from it
(tests/test_architecture.py holds them to it)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.answering.engine import AnswerEngine
    from bot.curation.answers import CuratedAnswers
    from bot.insights.gaps import Gaps
    from bot.operations.scheduler import Scheduler
    from bot.answering.generation import Generator
    from bot.answering.types import Source
    from bot.insights.feedback import FeedbackStore
    from bot.people.first_contact import FirstContacts
    from bot.people.followed_threads import FollowedThreads
    from bot.people.pseudonyms import Pseudonymizer
    from bot.storage.database import Storage
    from bot.storage.personal import PersonalData
    from bot.storage.queue import QuestionQueue
    from bot.indexing.reindexer import Reindexer
    from bot.operations.metrics import Metrics
    from bot.slack.parts import SlackParts
    from bot.slack.transport.app import App  # Bolt's, as bot/slack builds it
    from bot.templates.filling import TemplateFiller
    from bot.templates.library import TemplateLibrary
    from bot.indexing.source_runs import SourceRuns
    from knowledge.embeddings import Embedder
    from knowledge.file_limits import FileLimits
    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.index.store import ChunkStore
    from knowledge.index.warming import IndexWarmer

log = logging.getLogger(__name__)


PARTS = frozenset({"embedder", "store", "indexer", "source_runs", "retriever", "generator", "engine", "templates",
                   "template_filler", "feedback", "pseudonymizer", "reindexer", "curated", "gaps",
                   "scheduler", "metrics", "storage", "first_contacts", "followed_threads",
                   "question_queue", "index_warmer"})


class Services:
    """Lazily built parts; safe to use from several threads (each part is built once).

    A part given by name (`Services(settings, generator=…)`: tests, or a process that already has
    one) is used instead of being built, and is not closed here.
    """

    def __init__(self, settings: Settings, **given: object) -> None:
        unknown = set(given) - PARTS
        if unknown:
            raise TypeError(f"unknown parts: {', '.join(sorted(unknown))}")
        self.settings = settings
        self._parts: dict[str, object] = dict(given)
        self._given = frozenset(given)
        self._lock = threading.RLock()

    def _once(self, name: str, build):
        # cached_property is not thread-safe by itself; loading a model twice costs GBs.
        with self._lock:
            if name not in self._parts:
                self._parts[name] = build()
            return self._parts[name]

    @property
    def embedder(self) -> "Embedder":
        from bot.model_files.resolving import resolve_embedding_model
        from knowledge.embeddings import open_embedder

        def build():
            return open_embedder(
                resolve_embedding_model(self.settings),
                batch_size=self.settings.retrieval.embedding_batch_size,
                backend=self.settings.retrieval.embedding_backend,
            )
        return self._once("embedder", build)

    @property
    def question_embedder(self) -> "Embedder":
        """The embedder, remembering the questions it embedded last: the curated-answer check, the
        search and the sentence selection embed a question once between them."""
        from knowledge.embeddings import RecentQuestions
        return self._once("question_embedder", lambda: RecentQuestions(self.embedder))

    @property
    def store(self) -> "ChunkStore":
        from bot.indexing.index_store import open_index
        return self._once("store", lambda: open_index(self.settings))

    @property
    def index_warmer(self) -> "IndexWarmer":
        """Reads the index's vocabulary, vectors and titles ahead of the questions: at once after a
        re-index run of this process, within its interval after one by another replica (serve starts it)."""
        from knowledge.index.warming import IndexWarmer

        def build() -> IndexWarmer:
            warmer = IndexWarmer(self.store.warm)
            self.reindexer.run_finished.add(lambda run: warmer.now())
            return warmer
        return self._once("index_warmer", build)

    @property
    def indexer(self) -> "Indexer":
        from knowledge.chunking import Chunker
        from knowledge.formats.library_logs import LibraryLogs
        from knowledge.indexing import Indexer

        def build():
            settings = self.settings
            chunker = Chunker(self.embedder.count_tokens, max_tokens=settings.retrieval.chunk_tokens,
                              overlap_tokens=settings.retrieval.chunk_overlap_tokens)
            return Indexer(self.store, self.embedder, chunker, lock_dir=settings.folders.state_dir,
                           limits=self.indexer_limits(), library_logs=LibraryLogs())
        return self._once("indexer", build)

    @property
    def source_runs(self) -> "SourceRuns | None":
        """The sources of the sources file (None without one); each feeds its own collection."""
        from bot.indexing.source_config import load_source_configs
        from bot.indexing.source_runs import SourceRuns
        from knowledge.source_indexing import SourceIndexer

        def build():
            documents = self.settings.documents
            configs = load_source_configs(documents.sources_file, folder_collections=set(documents.sources))
            if not configs:
                return None
            return SourceRuns(configs, state_dir=self.settings.folders.state_dir,
                              indexer=lambda: SourceIndexer(self.indexer), store=lambda: self.store,
                              limits=self.indexer_limits())
        return self._once("source_runs", build)

    def indexer_limits(self) -> "FileLimits":
        from knowledge.file_limits import MB, FileLimits
        documents = self.settings.documents
        return FileLimits(max_file_bytes=documents.max_file_mb * MB, max_unpacked_bytes=documents.max_unpacked_mb * MB,
                          max_pdf_pages=documents.max_pdf_pages, ocr_seconds=documents.ocr_seconds_per_file)

    def sync_permissions(self) -> dict[str, int | str]:
        """One permission-only sync of every source: per source the documents whose readers changed,
        or its error."""
        runs = self.source_runs
        if runs is None:
            return {}
        return {name: result if isinstance(result, str) else len(result.changed)
                for name, result in runs.sync_permissions().items()}

    @property
    def retriever(self) -> "Retriever":
        from bot.model_files.resolving import resolve_reranker_model
        from knowledge.crosslingual import TranslatingQuery
        from knowledge.retrieval import Retriever
        from language.translation import load_dictionaries

        def build():
            path = resolve_reranker_model(self.settings)
            reranker = None
            if path is not None:
                from knowledge.reranking import CrossEncoderReranker
                reranker = CrossEncoderReranker(path)
                log.info("reranking the best %d candidates with %s", self.settings.retrieval.rerank_depth,
                         reranker.name)
            return Retriever(self.question_embedder, self.store, reranker=reranker,
                             rerank_depth=self.settings.retrieval.rerank_depth,
                             query_terms=TranslatingQuery(load_dictionaries(self.settings.folders.dictionaries_dir)))
        return self._once("retriever", build)

    @property
    def generator(self) -> "Generator":
        from bot.answering.llm import build_generator
        return self._once("generator", lambda: build_generator(self.settings))

    @property
    def engine(self) -> "AnswerEngine":
        from bot.answering.engine import AnswerEngine
        return self._once("engine", lambda: AnswerEngine.from_parts(
            self.settings, retriever=self.retriever, generator=self.generator, embedder=self.question_embedder,
            curated=self.curated if self.settings.answering.curated_answers else None))

    @property
    def templates(self) -> "TemplateLibrary":
        from bot.templates.library import TemplateLibrary
        return self._once("templates", lambda: TemplateLibrary.load(self.settings.folders.templates_dir))

    @property
    def template_filler(self) -> "TemplateFiller":
        from bot.templates.filling import TemplateFiller

        def retrieve(query: str, collections: list[str] | None = None):
            return self.engine.retrieve(query, collections=collections)  # the index loads only when used
        from bot.model_files.resolving import is_packaged_llm
        return self._once("template_filler", lambda: TemplateFiller(
            self.generator, retrieve=retrieve, temperature=self.settings.llm.temperature,
            top_p=self.settings.llm.top_p, repeat_penalty=self.settings.llm.repeat_penalty,
            extractive_only=is_packaged_llm(self.generator.model_name)))

    @property
    def storage(self) -> "Storage":
        """Where every store keeps its tables (bot/storage): by default a SQLite file per store."""
        from bot.storage.database import Storage
        return self._once("storage", lambda: Storage(self.settings.folders.database_url))

    @property
    def feedback(self) -> "FeedbackStore":
        from bot.insights.feedback import FeedbackStore

        def build():
            return FeedbackStore(self.storage.database(self.settings.folders.feedback_path),
                                 pseudonymize=self.pseudonymizer.stored_id,
                                 retention_days=self.settings.privacy.retention_days)
        return self._once("feedback", build)

    @property
    def first_contacts(self) -> "FirstContacts":
        """Who was greeted in the Messages tab, who got the AI notice."""
        from bot.people.first_contact import AI_NOTICE, GREETED, FirstContacts
        settings = self.settings
        return self._once("first_contacts", lambda: FirstContacts(
            self.storage.database(settings.folders.first_contacts_path), pseudonymize=self.pseudonymizer.stored_id,
            previous_files={GREETED: settings.folders.greeted_path, AI_NOTICE: settings.folders.ai_notice_path}))

    @property
    def followed_threads(self) -> "FollowedThreads":
        """The channel threads followed without a mention."""
        from bot.people.followed_threads import FollowedThreads
        settings = self.settings
        return self._once("followed_threads", lambda: FollowedThreads(
            self.storage.database(settings.folders.followed_threads_path), days=settings.colleagues.follow_up_days,
            pseudonymize=self.pseudonymizer.stored_id))

    @property
    def question_queue(self) -> "QuestionQueue":
        """Questions kept from their arrival until answered, for replicas and restarts (bot/storage/queue.py)."""
        from bot.storage.queue import QuestionQueue
        path = self.settings.folders.question_queue_path
        return self._once("question_queue", lambda: QuestionQueue(
            self.storage.database(path), lease_s=self.settings.slack.question_lease_seconds,
            pseudonymize=self.pseudonymizer.stored_id))

    @property
    def personal_data(self) -> "PersonalData":
        """Every store that holds data about people: what `vraagbaak privacy` and the daily purge
        loop over. A store of personal data missing here fails tests/storage/test_registry.py."""
        from bot.storage.personal import PersonalData
        return self._once("personal_data", lambda: PersonalData(
            [self.feedback, self.curated.store, self.followed_threads, self.first_contacts,
             self.question_queue]))

    @property
    def pseudonymizer(self) -> "Pseudonymizer":
        from bot.people.pseudonyms import pseudonymizer_for
        settings = self.settings
        def build():
            from bot.storage.secrets import GeneratedSecrets
            # Replicas on one database server share its generated key (a file per replica would
            # give one person a pseudonym per replica).
            shared = (GeneratedSecrets(self.storage.database(settings.folders.data_dir / "secrets.sqlite3"))
                      if self.storage.shared_by_replicas and not settings.privacy.pseudonym_key else None)
            return pseudonymizer_for(enabled=settings.privacy.pseudonymise_users, key=settings.privacy.pseudonym_key,
                                     key_path=settings.folders.pseudonym_key_path, shared=shared)
        return self._once("pseudonymizer", build)

    @property
    def reindexer(self) -> "Reindexer":
        from bot.indexing.reindexer import Reindexer
        # Providers, not parts: the embedding model loads when a run starts, not when `vraagbaak
        # status` only reads the last run's report.
        def build():
            # One run at a time across replicas: the database's lock "reindex" (with SQLite, a file
            # lock beside reindex_lock_path), taken when a run starts, never when one is only read.
            def shared_lock():
                return self.storage.database(self.settings.folders.reindex_lock_path).try_lock("reindex")
            reindexer = Reindexer(self.settings, indexer=lambda: self.indexer, store=lambda: self.store,
                                  sources=self.source_runs, shared_lock=shared_lock)
            # At the end of every run: curated answers whose sources changed are suspended (and owners told).
            reindexer.run_ending.add(lambda run: self.curated.review(run))
            reindexer.run_finished.add(self.metrics.observe_reindex_report)
            return reindexer
        return self._once("reindexer", build)

    @property
    def curated(self) -> "CuratedAnswers":
        from bot.curation.answers import CuratedAnswers
        from bot.curation.store import CuratedStore
        # The embedding model loads when a question first reaches a curated answer's words.
        return self._once("curated", lambda: CuratedAnswers(
            CuratedStore(self.storage.database(self.settings.folders.curated_path)), lambda: self.question_embedder,
            documents=lambda c: self.store.documents(c), min_similarity=self.settings.answering.curated_min_similarity))

    @property
    def gaps(self) -> "Gaps":
        from bot.insights.gaps import Gaps
        return self._once("gaps", lambda: Gaps(self.feedback, lambda: self.embedder,
                                              vocabulary=lambda: self.store.vocabulary(),
                                              days=self.settings.schedule.gaps_digest_days,
                                              shown=self.everyone_may_read))

    def everyone_may_read(self, source: "Source") -> bool:
        """Whether everyone in the organisation may read a cited document (by its readers in the index;
        a document no longer indexed is not named)."""
        from knowledge.models import EVERYONE_KEY
        try:
            readers = self.store.readers(source.collection)
        except Exception:  # an index that cannot be read: name nothing
            log.warning("could not read who may read the documents of %s", source.collection, exc_info=True)
            return False
        return source.path in readers and EVERYONE_KEY in readers[source.path] if readers else True

    @property
    def scheduler(self) -> "Scheduler":
        """Every scheduled job: the re-index runs, the daily privacy purge, the weekly gaps digest, the
        permission sync of the sources."""
        from bot.operations.scheduler import Scheduler
        return self._once("scheduler", lambda: Scheduler.from_settings(
            self.settings, self.reindexer, purge=self.purge_expired, digest=self.gaps.send_digest,
            permissions=self.sync_permissions if self.source_runs is not None else None))

    @property
    def metrics(self) -> "Metrics":
        """This process's Prometheus metrics (served by `vraagbaak serve` on metrics_port)."""
        from bot.operations.metrics import Metrics
        return self._once("metrics", Metrics)

    def slack(self, app: "App", *, update_interval_s: float = 1.0) -> "SlackParts":
        """Builds the Slack side on `app` (made by bot.slack.transport.app.build_app) and registers
        every listener; once per app."""
        from bot.operations.status import gather_status
        from bot.slack.composition import compose

        settings = self.settings
        return compose(
            app, settings=settings, engine=lambda: self.engine, feedback=self.feedback, templates=self.templates,
            filler=lambda: self.template_filler, reindexer=self.reindexer, metrics=self.metrics,
            status=lambda: gather_status(settings, self.store, self.reindexer, generator=self.generator),
            curated=self.curated if settings.answering.curated_answers else None, gaps=self.gaps,
            first_contacts=self.first_contacts, threads=self.followed_threads, sources=self.source_runs,
            question_queue=self.question_queue if settings.slack.question_queue else None,
            update_interval_s=update_interval_s)

    def tell_admins_about_failed_runs(self) -> None:
        """Re-index runs of this process that fail reach the admins as a Slack DM."""
        from bot.slack.features.admin_notice import FailedRunNotifier
        from bot.slack.transport.app import build_client
        self.reindexer.run_finished.add(FailedRunNotifier(build_client(self.settings),
                                                          self.settings.access.admin_user_ids))

    def purge_expired(self) -> dict[str, int]:
        """Deletes what is older than the retention periods now; per store, how many records went
        (-1: that store failed)."""
        return self.personal_data.purge()

    def close(self) -> None:
        runs = self._parts.get("source_runs")
        if runs is not None and "source_runs" not in self._given:
            runs.close()
        generator = self._parts.get("generator")
        if generator is not None and "generator" not in self._given:
            generator.close()
        storage = self._parts.get("storage")
        if storage is not None and "storage" not in self._given:
            storage.close()
