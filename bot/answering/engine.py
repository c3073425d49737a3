"""Question -> grounded, streamed, sourced Answer. Slack-free."""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from bot.answering.cache import AnswerCache, cache_key
from bot.answering.citations import resolve_citations, sources_used
from bot.answering.disagreement import with_disagreement
from bot.answering.generation import CHAT_OVERHEAD_TOKENS, Generation, GenerationRequest, Generator
from bot.answering.guards import AnswerGuard, Grounding, GuardStop
from bot.answering.prompts import ANSWER_STOPS, NOT_FOUND, Passage, build_messages, pack_passages, passage_block
from bot.answering.quoting import QUOTE_SECOND_DOCUMENT, QUOTED, found_nearly_as_well, quote_blocks
from bot.answering.relevance import AbstainPolicy, Verdict
from bot.answering.selection import SentenceSelector
from bot.answering.stream import AnswerStream
from bot.answering.types import Answer, CuratedMatcher, Preview, Source, Turn
from bot.errors import knowledge_errors
from knowledge.models import EVERYONE_READERS
from language.calibration import calibration_for
from language.detection import detect_language
from language.questions import reads_as_follow_up

if TYPE_CHECKING:
    from bot.settings import Settings
    from knowledge.embeddings import Embedder
    from knowledge.models import Hit
    from knowledge.retrieval import Retrieval, Retriever

log = logging.getLogger(__name__)


MAYBE_HELPFUL = {"nl": "Misschien helpen deze documenten:", "en": "These documents might help:"}
# The question alone leaves the model too little room (its window holds instructions, passages,
# earlier turns, question and answer): said plainly, without tokens or windows.
TOO_LONG = {"nl": "Je vraag is te lang; stel hem korter of in delen.",
            "en": "Your question is too long; please ask it shorter or in parts."}
MIN_ANSWER_TOKENS = 100  # room an answer needs at least, beside the prompt
OFFERED_SOURCES = 3  # closest documents offered when the answer is not in the documents
FALLBACK_SOURCES = 2  # sources shown when the model cites no passage


_LINK = re.compile(r"(?:https?|ftp)://[^\s<>|\"'`\])]+", re.IGNORECASE)


def source_of(hit: "Hit") -> Source:
    chunk = hit.chunk
    links = tuple(dict.fromkeys(link.rstrip(".,;:!?*_~") for link in _LINK.findall(chunk.text)))
    return Source(title=chunk.title, path=chunk.doc_id, heading=chunk.heading_path,
                  collection=chunk.collection, url=chunk.url or None, links=links, page=chunk.page,
                  copies=chunk.copies, dated=chunk.dated, dated_by=chunk.dated_by)


def retrieval_query(question: str, history: Sequence[Turn]) -> str:
    """The question, preceded by the previous question when this one only makes sense after it."""
    earlier = [turn.text for turn in history if turn.role == "user"]
    if earlier and reads_as_follow_up(question):
        return f"{earlier[-1].strip()} {question.strip()}"
    return question


@dataclass(frozen=True)
class PreparedQuestion:
    """Everything decided before the model runs: language, hits, passages and the messages."""

    question: str
    language: str
    hits: list["Hit"]
    index_version: int | None  # of the index the hits came from (None: unknown, nothing is cached)
    passages: list[Passage]
    messages: list[dict]
    verdict: Verdict  # not answerable: abstain without calling the model
    preview: "Preview | None" = None  # the best sentence(s), shown before the first token (not for refusals)
    # The next document's best sentence(s), when it was found nearly as well as the preview's (quoted too).
    runner_up: "Preview | None" = None

    @property
    def relevant(self) -> bool:
        return self.verdict.answerable and bool(self.passages)


class AnswerEngine:
    """Retrieves passages for a question, asks the model to answer from them, and cites them.

    `embedder`: the retriever's embedding model; its name picks the calibrated relevance thresholds
    and sentence selection embeds with it (None: the fallback thresholds, word scores only)."""

    def __init__(self, retriever: "Retriever", generator: Generator, *, embedder: "Embedder | None" = None,
                 top_k: int = 6,
                 search_mode: str = "hybrid", min_relevance: float = -1.0,
                 context_budget_tokens: int = 240, max_tokens: int = 400, temperature: float = 0.2,
                 top_p: float = 0.9, repeat_penalty: float = 1.1, cache_size: int = 256,
                 guard: bool = True, sentence_selection: bool = True,
                 curated: CuratedMatcher | None = None, quote_second_document: float = QUOTE_SECOND_DOCUMENT) -> None:
        self.retriever = retriever
        self.curated = curated  # curated answers, served before anything else (bot/curation/)
        self.generator = generator
        self.top_k = top_k
        self.search_mode = search_mode
        calibration = calibration_for(str(getattr(embedder, "name", "")))
        calibrated = dict(calibration.min_relevance)
        self.policy = AbstainPolicy({language: min_relevance for language in calibrated}
                                    if min_relevance >= 0 else calibrated,
                                    min_support=calibration.min_known_terms,
                                    min_coverage_alone=calibration.min_coverage_alone)
        self.context_budget_tokens = context_budget_tokens
        self.max_tokens = max_tokens
        self.sampling = {"temperature": temperature, "top_p": top_p, "repeat_penalty": repeat_penalty}
        self.cache: AnswerCache[Answer] = AnswerCache(cache_size)
        self.guard = guard  # stop loops and echoes of the prompt while streaming (guards.py); off: bench only
        # Only the sentences that answer the question go into the prompt (selection.py); off: whole
        # passages, as many as fit in the budget.
        self.selector = SentenceSelector(embedder) if sentence_selection else None
        self.quote_second_document = quote_second_document

    @classmethod
    def from_parts(cls, settings: "Settings", *, retriever: "Retriever", generator: Generator,
                   embedder: "Embedder | None" = None, curated: CuratedMatcher | None = None) -> "AnswerEngine":
        return cls(retriever, generator, embedder=embedder, curated=curated, top_k=settings.retrieval.top_k,
                   search_mode=settings.retrieval.search_mode,
                   min_relevance=settings.retrieval.min_relevance,
                   context_budget_tokens=settings.answering.context_budget_tokens, max_tokens=settings.llm.max_tokens,
                   temperature=settings.llm.temperature, top_p=settings.llm.top_p,
                   repeat_penalty=settings.llm.repeat_penalty, cache_size=settings.answering.cache_size,
                   sentence_selection=settings.answering.sentence_selection)

    # --- retrieval ---------------------------------------------------------------------------
    @knowledge_errors()  # a damaged index: its Dutch message reaches the asker, not a traceback
    def retrieve(self, question: str, history: Sequence[Turn] = (), collections: list[str] | None = None,
                 readers: Sequence[str] = EVERYONE_READERS) -> list["Hit"]:
        """The passages found for this question (follow-ups include the previous question) among
        the documents one of `readers` may read (default: those everyone may read)."""
        return self.retriever.retrieve(retrieval_query(question, history), k=self.top_k, mode=self.search_mode,
                                       collections=collections, readers=readers).hits

    @knowledge_errors()
    def prepare(self, question: str, *, history: Sequence[Turn] = (), collections: list[str] | None = None,
                readers: Sequence[str] = EVERYONE_READERS) -> PreparedQuestion:
        """Language, passages and prompt messages for a question, without calling the model; one
        search, whose vector candidates, vocabulary and embedding the refusal policy and the
        sentence selection reuse."""
        language = detect_language(question)
        query = retrieval_query(question, history)
        found: "Retrieval" = self.retriever.retrieve(query, k=self.top_k, mode=self.search_mode,
                                                     collections=collections, readers=readers)
        hits = found.hits
        verdict = self.policy.judge(query, language, hits, found.vocabulary, found.vector_hits, question=question,
                                    glossary=found.text_query.glossary if found.text_query else None)
        threshold = self.policy.threshold(language)
        candidates = [h for h in hits if h.relevance >= threshold]
        passages, preview, runner_up = self._passages(query, candidates, found)
        earlier = [(turn.role, turn.text) for turn in history]
        messages = build_messages(question, passages, language=language, history=earlier)
        shown = verdict.answerable and bool(passages)
        return PreparedQuestion(question, language, hits, found.index_version, passages, messages, verdict,
                                preview if shown else None, runner_up if shown else None)

    def _passages(self, query: str, hits: list["Hit"],
                  found: "Retrieval") -> tuple[list[Passage], "Preview | None", "Preview | None"]:
        """The passages for the prompt: the sentences that answer the question (with the selector,
        also in the words `found`'s search translated it into), or whole hits as they fit; the
        preview, and the next document's best sentence(s) when retrieval found it nearly as well."""
        count, budget = self.generator.count_tokens, self.context_budget_tokens
        if self.selector is None or not hits:
            return pack_passages(hits, count, budget), None, None
        selection = self.selector.select(query, hits, count_tokens=count, budget=budget,
                                         block=lambda hit, text: passage_block(9, hit, text),
                                         vocabulary=found.vocabulary, query_vector=found.query_vector,
                                         translated=found.text_query.translated.split() if found.text_query else ())
        passages = pack_passages([e.hit for e in selection.excerpts], count, budget,
                                 texts=[e.text for e in selection.excerpts])
        best = selection.preview
        if best is None:
            return passages, None, None
        preview = Preview(best.text, source_of(best.hit))
        following = Preview(selection.others[0].text, source_of(selection.others[0].hit)) if selection.others else None
        if following is not None and not found_nearly_as_well(hits, following.source, preview.source,
                                                              self.quote_second_document):
            following = None
        return passages, preview, following

    # --- answering ---------------------------------------------------------------------------
    def ask(self, question: str, *, history: Sequence[Turn] = (), collections: list[str] | None = None,
            readers: Sequence[str] = EVERYONE_READERS) -> AnswerStream:
        """Starts answering; the stream yields text as the model writes it. Only documents one of
        `readers` (principal keys) may read are used; by default those everyone may read."""
        started = time.perf_counter()
        if (too_long := self._too_long(question, history, started)) is not None:
            return AnswerStream(answer=too_long)
        if self.curated is not None and (fixed := self._curated(question, collections, readers, started)) is not None:
            return AnswerStream(answer=fixed)
        version = self.retriever.index_version()
        cached = self.cache.get(cache_key(question, history=history, collections=collections, readers=readers,
                                          index_version=version)) if version is not None else None
        if cached is not None:
            timings = {"retrieve_s": 0.0, "queue_s": 0.0, "first_token_s": time.perf_counter() - started,
                       "total_s": time.perf_counter() - started, "prompt_tokens": 0, "completion_tokens": 0}
            return AnswerStream(answer=dataclasses.replace(cached, cached=True, timings=timings))
        prepared = self.prepare(question, history=history, collections=collections, readers=readers)
        # Kept under the version the passages came from (a re-index may have landed meanwhile).
        key = cache_key(question, history=history, collections=collections, readers=readers,
                        index_version=prepared.index_version)
        retrieve_s = time.perf_counter() - started
        if not prepared.relevant:
            answer = self._abstain(prepared, {"retrieve_s": retrieve_s, "queue_s": 0.0, "first_token_s": 0.0,
                                              "total_s": time.perf_counter() - started,
                                              "prompt_tokens": 0, "completion_tokens": 0})
            self._remember(key, answer)
            return AnswerStream(answer=answer)
        request = GenerationRequest(prepared.messages, max_tokens=self.max_tokens, stop=ANSWER_STOPS,
                                    **self.sampling)
        generation = self.generator.submit(request)
        earlier = [turn.text for turn in history if turn.role == "user"]
        grounding = self._grounding(prepared, earlier)

        def finish(raw: str, done: Generation, stopped: GuardStop | None) -> Answer:
            stats = done.stats
            timings = {"retrieve_s": retrieve_s, "queue_s": stats.queue_s,
                       "first_token_s": retrieve_s + stats.first_token_s,
                       "total_s": retrieve_s + stats.total_s, "prompt_tokens": stats.prompt_tokens,
                       "completion_tokens": stats.completion_tokens,
                       "cached_prompt_tokens": stats.cached_prompt_tokens}
            answer = with_disagreement(self._grounded_answer(prepared, raw, timings, grounding), prepared.passages)
            if stopped is not None:
                answer = dataclasses.replace(answer, stopped=stopped.reason)
            if not done.cancelled or stopped is not None:
                self._remember(key, answer)
            return answer

        guard = AnswerGuard.for_question(question, prepared.language, earlier_questions=earlier,
                                         grounding=grounding) if self.guard else None
        return AnswerStream(generation=generation, finish=finish,
                            passage_sources=[source_of(p.hit) for p in prepared.passages], guard=guard,
                            preview=prepared.preview)

    def _too_long(self, question: str, history: Sequence[Turn], started: float) -> Answer | None:
        """The plain answer for a question that, with the instructions, the passages' budget and the
        earlier turns, leaves the model no room to answer; None when it fits. Searched for nothing
        and logged without its text."""
        language = detect_language(question)
        messages = build_messages(question, [], language=language, history=[(t.role, t.text) for t in history])
        prompt = sum(self.generator.count_tokens(m["content"]) for m in messages)
        needed = prompt + self.context_budget_tokens + CHAT_OVERHEAD_TOKENS + min(self.max_tokens, MIN_ANSWER_TOKENS)
        if needed <= self.generator.n_ctx:
            return None
        log.info("a question of %d characters is too long: %d prompt tokens, the window holds %d",
                 len(question), prompt, self.generator.n_ctx)
        elapsed = time.perf_counter() - started
        timings = {"retrieve_s": 0.0, "queue_s": 0.0, "first_token_s": elapsed, "total_s": elapsed,
                   "prompt_tokens": 0, "completion_tokens": 0}
        return Answer(question, TOO_LONG[language], [], language=language, timings=timings)

    def warm_up(self, language: str = "nl") -> Generation:
        """Has the model evaluate the fixed instructions now (in its worker, without waiting), so
        the first real question finds them in the KV cache and the weights paged in."""
        messages = build_messages("?", [], language=language)
        return self.generator.submit(GenerationRequest(messages, max_tokens=1, background=True, **self.sampling))

    def _remember(self, key: tuple, answer: Answer) -> None:
        if key[-1] is not None:
            self.cache.put(key, answer)

    @staticmethod
    def _grounding(prepared: PreparedQuestion, earlier_questions: Sequence[str]) -> Grounding:
        """What an answer to this question must say of its passages to be an answer (guards.py): of
        the whole passages, not only the sentences the model was shown of them."""
        texts = [p.hit.chunk.text for p in prepared.passages]
        same_language = detect_language(" ".join(texts)) == prepared.language
        return Grounding.for_question(prepared.question, prepared.language, texts,
                                      earlier_questions=earlier_questions, same_language=same_language)

    def _grounded_answer(self, prepared: PreparedQuestion, raw: str, timings: dict, grounding: Grounding) -> Answer:
        text, sources = resolve_citations(raw, [source_of(p.hit) for p in prepared.passages])
        if _says_not_found(text, prepared.language):
            return self._abstain(prepared, timings)
        if not grounding.holds(text):  # nothing, or only the question and our own prompt's words
            return self._quote_best_passages(prepared, timings)
        # The documents whose words the answer used (no words shared, or an answer in another language
        # than its passages, which a small model may give to a question in theirs: the first found).
        if not sources:
            sources = sources_used(text, [(p.text, source_of(p.hit)) for p in prepared.passages],
                                   document=lambda s: (s.collection, s.path),
                                   same_language=grounding.same_language
                                   and detect_language(text) == prepared.language)[:FALLBACK_SOURCES]
        return Answer(prepared.question, text, sources, language=prepared.language, timings=timings)

    def _quote_best_passages(self, prepared: PreparedQuestion, timings: dict) -> Answer:
        """The preview (the sentences that answer the question best) and, after it, the next
        document's best sentences when it was found nearly as well, else retrieval's first passage
        when that is another; quoted with their sources, QUOTE_CHARS at most."""
        first = prepared.passages[0]  # the model is only asked when there are passages (`relevant`)
        quotes = [(p.text, p.source) for p in (prepared.preview, prepared.runner_up) if p is not None]
        if not quotes or (len(quotes) == 1 and quotes[0][1] != source_of(first.hit)):
            quotes.append((first.body or first.hit.chunk.text, source_of(first.hit)))
        blocks, sources = quote_blocks(quotes)
        return Answer(prepared.question, "\n\n".join([QUOTED[prepared.language], *blocks]), sources,
                      language=prepared.language, timings=timings, quoted=True)

    def _abstain(self, prepared: PreparedQuestion, timings: dict) -> Answer:
        language = prepared.language
        offered = _distinct([source_of(h) for h in prepared.hits], by_document=True)[:OFFERED_SOURCES]
        lines = [NOT_FOUND[language]]
        if offered:
            lines += ["", MAYBE_HELPFUL[language]]
            lines += [f"• {s.title}" + (f" — {s.heading}" if s.heading and s.heading != s.title else "")
                      + f" ({', '.join(filter(None, (s.path, s.page_label, s.edition(language))))})" for s in offered]
        return Answer(prepared.question, "\n".join(lines), offered, abstained=True, language=language,
                      timings=timings)

    def _curated(self, question: str, collections: list[str] | None, readers: Sequence[str],
                 started: float) -> Answer | None:
        """The curated answer for this question, as it was decided; None: answer it as usual. One
        that cites a document these readers may not read is not given (fail closed)."""
        assert self.curated is not None
        try:
            match = self.curated.match(question, collections=collections)
            if match is not None and not self._readable(match.sources, readers):
                log.info("curated answer %s cites a document this asker may not read; answering as usual",
                         getattr(match, "id", "?"))
                return None
        except Exception:  # a broken curated store must not stop answering
            log.warning("curated answers could not be searched; answering as usual", exc_info=True)
            return None
        if match is None:
            return None
        elapsed = time.perf_counter() - started
        timings = {"retrieve_s": 0.0, "queue_s": 0.0, "first_token_s": elapsed, "total_s": elapsed,
                   "prompt_tokens": 0, "completion_tokens": 0}
        return Answer(question, match.answer, list(match.sources), language=detect_language(question),
                      timings=timings, curated=match)

    def _readable(self, sources: Sequence[Source], readers: Sequence[str]) -> bool:
        allowed = set(readers)
        for collection in {s.collection for s in sources}:
            known = self.retriever.document_readers(collection)
            if any(s.path in known and not allowed & set(known[s.path])
                   for s in sources if s.collection == collection):
                return False
        return True


def _says_not_found(text: str, language: str) -> bool:
    start = text.strip().strip('"').lower()
    return any(start.startswith(phrase.lower().rstrip(".")) for phrase in (NOT_FOUND[language], *NOT_FOUND.values()))


def _distinct(sources: list[Source], *, by_document: bool = False) -> list[Source]:
    seen: set[tuple] = set()
    result = []
    for source in sources:
        key = (source.collection, source.path) if by_document else (source.collection, source.path, source.heading)
        if key not in seen:
            seen.add(key)
            result.append(source)
    return result
