"""The language model: one llama.cpp model per process behind one worker thread and a FIFO queue.

A `llama_cpp.Llama` is not thread-safe, so only the worker thread touches it. Callers `submit()` a
request and get a `Generation` back at once: it knows its place in the queue and streams text
deltas as the worker produces them.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answering.chat_template import ChatTemplateError, template_from_metadata
from bot.answering.generation import Generation, GenerationError, GenerationRequest, Generator
from bot.answering.prefix_states import PrefixStates, _common_prefix
from bot.errors import ModelError
from bot.model_files.checks import check_gguf_file

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)


class _RequestQueue:
    """FIFO of generations waiting for the one worker, plus the one being generated."""

    def __init__(self) -> None:
        self._waiting: collections.deque[Generation] = collections.deque()
        self._current: Generation | None = None
        self._closed = False
        self._changed = threading.Condition()

    def put(self, generation: Generation) -> None:
        with self._changed:
            if self._closed:
                raise GenerationError("Het taalmodel is gestopt; er worden geen vragen meer aangenomen.")
            self._waiting.append(generation)
            self._changed.notify_all()

    def take(self) -> Generation | None:
        """The next generation for the worker; None once closed."""
        with self._changed:
            self._current = None
            self._changed.wait_for(lambda: self._waiting or self._closed)
            if self._closed:
                return None
            self._current = self._waiting.popleft()
            return self._current

    def position(self, generation: Generation) -> int:
        """The people's requests ahead of this one (the bot's own background work does not count)."""
        with self._changed:
            if generation is self._current:
                return 0
            try:
                index = self._waiting.index(generation)
            except ValueError:
                return 0
            ahead = [*([self._current] if self._current is not None else []), *list(self._waiting)[:index]]
            return sum(not g.request.background for g in ahead)

    def __len__(self) -> int:
        with self._changed:
            return len(self._waiting) + (1 if self._current is not None else 0)

    def close(self) -> list[Generation]:
        """Refuses new work; returns what was still waiting."""
        with self._changed:
            self._closed = True
            left, self._waiting = list(self._waiting), collections.deque()
            self._changed.notify_all()
            return left


class LlamaGenerator:
    """A GGUF model loaded once with llama-cpp-python, used by exactly one worker thread."""

    def __init__(self, model_path: str | Path, *, n_ctx: int, n_threads: int, n_threads_batch: int,
                 n_gpu_layers: int = 0, seed: int = 1234, prefix_states: int = 4, prompt_lookup: int = 0) -> None:
        path = Path(model_path)
        check_gguf_file(path)
        self._lookup = PromptLookup(prompt_lookup) if prompt_lookup > 0 else None
        # logits_all with a draft model: llama-cpp-python 0.3.36 then keeps the logits of every evaluated
        # token, but sizes its buffer for them by this argument alone (n_batch rows without it), so a
        # prompt longer than n_batch fails at the first draft ("could not broadcast ... into shape (0,)").
        self._llama = _load_llama(path, n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads_batch,
                                  n_gpu_layers=n_gpu_layers, seed=seed, draft_model=self._lookup,
                                  logits_all=self._lookup is not None)
        self.model_path = path
        self.model_name = path.name.removesuffix(".gguf")
        self.n_ctx = self._llama.n_ctx()
        self._bos = self._llama.token_bos()
        self._add_bos = bool(self._llama._model.add_bos_token()) and self._bos >= 0
        try:
            self.template = template_from_metadata(
                self._llama.metadata, bos_token=self._special_text(self._bos),
                eos_token=self._special_text(self._llama.token_eos()))
        except ChatTemplateError as exc:
            self._llama.close()
            raise ModelError(f"Het chat-sjabloon in {path.name} is onbruikbaar: {exc}") from exc
        self._grammars: dict[str, object] = {}
        self._prefixes = PrefixStates(self._llama, prefix_states)  # used by the worker thread only
        self._queue = _RequestQueue()
        self._worker = threading.Thread(target=self._work, name="vraagbaak-llm", daemon=True)
        self._worker.start()
        log.info("language model %s loaded (n_ctx=%d, threads=%d/%d, system role: %s, prompt lookup: %s)",
                 self.model_name, self.n_ctx, n_threads, n_threads_batch,
                 "yes" if self.template.supports_system else "folded",
                 f"{prompt_lookup} tokens" if self._lookup else "off")

    # --- the Generator protocol --------------------------------------------------------------
    def submit(self, request: GenerationRequest) -> Generation:
        generation = Generation(request, self._queue)
        self._queue.put(generation)
        return generation

    def count_tokens(self, text: str) -> int:
        # Tokenizing only reads the vocabulary, which llama.cpp never changes: safe beside the worker.
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def queue_length(self) -> int:
        return len(self._queue)

    def prefix_snapshots(self) -> list[int]:
        """Token lengths of the saved prompt beginnings (see prefix_states.py)."""
        return self._prefixes.prefixes

    def close(self) -> None:
        for generation in self._queue.close():
            generation.finish(GenerationError("Het taalmodel is gestopt voordat deze vraag aan de beurt was."))
        self._worker.join(timeout=60)
        if self._worker.is_alive():
            log.warning("language model worker still busy at close; leaving the model loaded")
            return
        self._llama.close()

    # --- prompts -----------------------------------------------------------------------------
    def render_prompt(self, messages: list[dict]) -> str:
        """The exact prompt text this model gets for these messages."""
        try:
            return self.template.render(messages)
        except ChatTemplateError as exc:
            raise GenerationError(f"De berichten passen niet in het chat-sjabloon van het model: {exc}") from exc

    def prompt_tokens(self, prompt: str) -> list[int]:
        """Token ids of a rendered prompt; BOS added when the model wants it and the template did not."""
        tokens = self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        if self._add_bos and (not tokens or tokens[0] != self._bos):
            tokens.insert(0, self._bos)
        return tokens

    def _special_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llama.detokenize([token], special=True).decode("utf-8", errors="replace")

    # --- the worker --------------------------------------------------------------------------
    def _work(self) -> None:
        while (generation := self._queue.take()) is not None:
            if generation.cancelled:
                generation.finish()
                continue
            try:
                self._generate(generation)
            except GenerationError as exc:
                # Our messages name token counts and limits, never the question or the passages.
                log.warning("generation failed: %s", exc)
                generation.finish(exc)
            except Exception as exc:  # the worker must survive any one bad request
                log.exception("generation failed")
                generation.finish(GenerationError(f"Het taalmodel gaf een fout: {exc}"))
            else:
                generation.finish()

    def _generate(self, generation: Generation) -> None:
        from llama_cpp import StoppingCriteriaList

        request, stats = generation.request, generation.stats
        stats.queue_s = time.perf_counter() - generation.submitted_at
        tokens = self.prompt_tokens(self.render_prompt(request.messages))
        room = self.n_ctx - len(tokens)
        if room < 8:
            raise GenerationError(
                f"De vraag met de gevonden tekst is te lang voor het taalmodel ({len(tokens)} tokens, "
                f"het venster is {self.n_ctx}).")
        stats.prompt_tokens = len(tokens)
        with self._prompt_logits_off():
            stats.cached_prompt_tokens = self._prefixes.prepare(tokens)
            self._prefill(tokens)
        if self._lookup is not None:
            self._lookup.reset()
        counted = _TokenCounter(generation)
        max_tokens = min(request.max_tokens, room)
        stream = self._llama.create_completion(
            tokens, max_tokens=max_tokens, temperature=request.temperature,
            top_p=request.top_p, repeat_penalty=request.repeat_penalty, stop=list(request.stop),
            stream=True, grammar=self._grammar(request.json_schema),
            stopping_criteria=StoppingCriteriaList([counted]))
        finish_reason = None
        for chunk in stream:
            choice = chunk["choices"][0]
            finish_reason = choice.get("finish_reason") or finish_reason
            if choice["text"]:
                generation.emit(choice["text"])
        # The counter also saw the token that ended it (end-of-text, or the last of a stop string).
        stats.completion_tokens = max_tokens if finish_reason == "length" else max(counted.tokens - 1, 0)
        if self._lookup is not None:
            stats.draft_steps, stats.draft_tokens = self._lookup.steps, self._lookup.proposed

    # --- prompt lookup -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _prompt_logits_off(self):
        """With a draft model llama-cpp-python computes and copies the logits of every evaluated token
        (logits_all), which the prompt does not need: only drafts are checked token by token. Off
        while the prompt is evaluated, so prompt lookup leaves the first token as fast as without."""
        llama = self._llama
        saved = llama._logits_all
        llama._logits_all = False if self._lookup is not None else saved
        try:
            yield
        finally:
            llama._logits_all = saved

    def _prefill(self, tokens: list[int]) -> None:
        """With prompt lookup: evaluates the prompt up to its last token here (logits off);
        create_completion then finds it cached and evaluates only the last one, with logits."""
        if self._lookup is None:
            return
        llama = self._llama
        live = _common_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
        if live >= len(tokens) - 1:
            return
        llama._ctx.kv_cache_seq_rm(-1, live, -1)
        llama.n_tokens = live
        llama.eval(tokens[live:-1])

    def _grammar(self, schema: dict | None):
        if schema is None:
            return None
        from llama_cpp import LlamaGrammar

        from llama_cpp.llama_grammar import json_schema_to_gbnf

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            try:
                gbnf = json_schema_to_gbnf(json.dumps(schema))
            except Exception as exc:  # its converter asserts, or fails on what it does not know
                raise GenerationError(f"Het JSON-schema kan niet als grammatica dienen: {exc}") from exc
            self._grammars[key] = LlamaGrammar.from_string(strict_json_strings(gbnf), verbose=False)
        return self._grammars[key]


class GrammarPatchError(ModelError):
    """llama-cpp-python's JSON grammar no longer looks as `strict_json_strings` expects."""


# llama-cpp-python's string rule lets raw control characters into JSON strings (a newline inside
# "..."), which strict JSON parsers reject; llama.cpp's own rule excludes them.
_LOOSE_CHAR = 'char ::= [^"\\\\]'
_STRICT_CHAR = 'char ::= [^"\\\\\\x7F\\x00-\\x1F]'
_ANY_CHAR_CLASS = '[^"\\\\]'  # a loose string character, whatever the rule is called


def strict_json_strings(gbnf: str) -> str:
    """`gbnf` (from json_schema_to_gbnf) with control characters kept out of JSON strings.

    Raises GrammarPatchError when the grammar has a string-character rule in a form we do not know,
    so that a new llama-cpp-python cannot quietly bring back strings that strict parsers reject.
    """
    patched = gbnf.replace(_LOOSE_CHAR, _STRICT_CHAR)
    defines_char = re.search(r"^char\s*::=", patched, re.MULTILINE) is not None
    if _ANY_CHAR_CLASS in patched or (defines_char and _STRICT_CHAR not in patched):
        raise GrammarPatchError(
            "De JSON-grammatica van llama-cpp-python heeft een onbekende vorm: de regel "
            f"`{_LOOSE_CHAR}` is niet gevonden. Pas strict_json_strings in bot/answering/llm.py aan "
            "aan deze versie van llama-cpp-python.")
    return patched


@dataclass
class _TokenCounter:
    """A llama.cpp stopping criterion: counts sampled tokens and stops a cancelled generation."""

    generation: Generation
    tokens: int = field(default=0)

    def __call__(self, input_ids, logits) -> bool:
        self.tokens += 1
        return self.generation.cancelled


class PromptLookup:
    """llama-cpp-python's prompt-lookup decoding, counting what it drafts for the stats.

    After every sampled token it looks up the last tokens (up to 2) earlier in the prompt and the
    answer so far, and proposes the `num_pred_tokens` that followed there; llama.cpp evaluates them in
    one batch and keeps those the sampler would have chosen anyway, so greedy output is unchanged.
    """

    def __init__(self, num_pred_tokens: int) -> None:
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        self._lookup = LlamaPromptLookupDecoding(num_pred_tokens=num_pred_tokens)
        self.num_pred_tokens = num_pred_tokens
        self.steps = self.proposed = 0

    def reset(self) -> None:
        self.steps = self.proposed = 0

    def __call__(self, input_ids, /, **kwargs):
        draft = self._lookup(input_ids, **kwargs)
        self.steps += 1
        self.proposed += len(draft)
        return draft


def _load_llama(path: Path, **params):
    from llama_cpp import Llama

    try:
        return Llama(model_path=str(path), verbose=False, **params)
    except (ValueError, RuntimeError, OSError) as exc:
        log.debug("llama.cpp could not load %s", path, exc_info=True)
        raise ModelError(
            f"Het taalmodel {path.name} kan niet geladen worden; het bestand is waarschijnlijk beschadigd "
            f"of onvolledig. Haal het opnieuw op met `vraagbaak models pull`. ({exc})") from exc


def build_generator(settings: "Settings") -> Generator:
    """The generator the settings ask for: the local GGUF model, or an OpenAI-compatible server."""
    if settings.llm.backend == "openai":
        from bot.answering.openai_backend import build_openai_generator

        return build_openai_generator(settings)
    from bot.model_files.resolving import resolve_llm_model

    return LlamaGenerator(resolve_llm_model(settings), n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                          n_threads_batch=settings.llm.threads_batch, n_gpu_layers=settings.llm.n_gpu_layers,
                          prefix_states=settings.llm.prefix_states, prompt_lookup=settings.llm.prompt_lookup)
