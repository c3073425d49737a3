"""A `Generator` that talks to an OpenAI-compatible server (llama.cpp's server, llama-cpp-python's
server, vLLM) instead of loading the model in this process, so several bot replicas can share
model servers.

Answers stream over server-sent events from `/v1/chat/completions`. A server batches requests
itself (llama.cpp's `llama-server --parallel N`: N slots decoded together); this client sends as
many at once as the server has slots (read from llama.cpp's `/props`; `max_parallel` sets it where
the server does not say), the rest wait here in FIFO order, and `position()` tells a waiting request
how many are ahead of it — 0 once it has been sent. A request cancelled while it waits leaves the
line at once and is never sent; a cancelled request's connection is shut at once, also while the
server is still reading the prompt: llama.cpp then frees its slot.
`server_slots()` reports the server's slots, total and busy (every client's requests counted):
from llama.cpp's /slots, or its /metrics where /slots is switched off (`--no-slots`: /slots shows
the last prompt of every slot, other people's questions and passages included).

Two things fall back when the server lacks them: the OpenAI form of a JSON schema (llama-cpp-python's
server wants `json_object` + `schema`) and the server's tokenizer (else tokens are estimated). A
fallback lasts `fallback_retry_s`, then the better path is tried again, so one bad moment of the
server (a restart, a refused request) does not decide for every later request.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from bot.answering.event_stream import UNREADABLE, ReadBreaker, sse_events
from bot.answering.generation import Generation, GenerationError, GenerationRequest
from bot.answering.server_slots import (DEFAULT_PARALLEL, ServerSlots, SlotLine, busy_slots,
                                        positive_int, prometheus_gauge)

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

_UNREACHABLE = "De taalmodelserver is niet bereikbaar; probeer het later opnieuw."

# What the network and HTTP layer raise (URLError, timeouts and refused connections are OSErrors) and
# what a reply that is not JSON text raises; anything else is a bug of ours and is not relabelled.
_NETWORK_ERRORS = (OSError, http.client.HTTPException)
_REPLY_ERRORS = (json.JSONDecodeError, UnicodeDecodeError)
_TOKENIZE_ROUTES = ("/extras/tokenize", "/tokenize")
class OpenAIGenerator:
    """`Generator` for an OpenAI-compatible `/v1` API; `base_url` ends in /v1 (e.g. http://llm:8080/v1).

    `max_parallel`: requests in flight at the server at once; 0 takes the server's slot count
    (llama.cpp), else DEFAULT_PARALLEL. `n_ctx` is lowered to a llama.cpp slot's context when that
    is smaller (`--ctx-size` is shared by the slots)."""

    def __init__(self, base_url: str, model: str = "", *, api_key: str = "", n_ctx: int = 4096,
                 max_parallel: int = 0, timeout: float = 600.0, fallback_retry_s: float = 300.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        props = self._server_props()
        slot_ctx = positive_int((props.get("default_generation_settings") or {}).get("n_ctx"))
        if slot_ctx and slot_ctx < n_ctx:
            log.info("the model server's slots hold %d tokens each, fewer than n_ctx %d: prompts are "
                     "budgeted for %d", slot_ctx, n_ctx, slot_ctx)
        self.n_ctx = min(n_ctx, slot_ctx) if slot_ctx else n_ctx
        self._server_total = positive_int(props.get("total_slots"))
        self._follows_server = max_parallel <= 0
        self._slots = SlotLine(max_parallel if max_parallel > 0 else self._server_total or DEFAULT_PARALLEL)
        self._active = 0
        self._active_lock = threading.Lock()
        self._closed = False
        self.fallback_retry_s = fallback_retry_s
        # llama-cpp-python's server knows only {"type": "json_object", "schema": …}; others the OpenAI form.
        self._json_object_until = 0.0  # monotonic time until which json_object is tried first
        self._tokenize_route: str | None = None  # the route that last worked
        self._estimate_until = 0.0  # monotonic time until which tokens are estimated, not asked
        self._token_cache: OrderedDict[str, int] = OrderedDict()  # counts from the server's tokenizer
        self._token_lock = threading.Lock()
        self.model_name = model or self._served_model()

    # --- the Generator protocol ---------------------------------------------------------------

    def submit(self, request: GenerationRequest) -> Generation:
        """Queues `request` and returns at once; a thread sends it and streams the reply in."""
        if self._closed:
            raise GenerationError("Het taalmodel is gestopt; er worden geen vragen meer aangenomen.")
        generation = Generation(request, self._slots)
        with self._active_lock:
            self._active += 1
        self._slots.enqueue(generation)
        generation.on_cancel(lambda: self._slots.withdraw(generation))  # stopped while waiting: out of line
        threading.Thread(target=self._run, args=(generation,), name="vraagbaak-llm-request",
                         daemon=True).start()
        return generation

    def queue_length(self) -> int:
        """Requests not finished yet: waiting here or being generated by the server."""
        with self._active_lock:
            return self._active

    def count_tokens(self, text: str) -> int:
        """The server's tokenizer when it offers one (/extras/tokenize, /tokenize), else an over-estimate."""
        with self._token_lock:
            if text in self._token_cache:
                self._token_cache.move_to_end(text)
                return self._token_cache[text]
        count = self._server_token_count(text)
        if count is None:
            return estimate_tokens(text)  # not kept: the tokenizer is asked again after the cool-down
        with self._token_lock:
            self._token_cache[text] = count
            if len(self._token_cache) > 4096:
                self._token_cache.popitem(last=False)
        return count

    def close(self) -> None:
        """Refuses new requests; those in flight finish on their own threads."""
        self._closed = True

    def server_slots(self) -> ServerSlots:
        """The server's slots, total and busy: llama.cpp's /slots, else its /metrics (busy) with the
        total /props gave; where the server tells neither, this client's bound and its own requests
        in flight. Following the server, a new total from /slots is taken as the bound."""
        try:
            with self._open("/slots", root=True, timeout=5) as response:
                slots = json.load(response)
        except (*_NETWORK_ERRORS, *_REPLY_ERRORS) as exc:
            log.debug("the model server %s did not report its slots: %r", self.base_url, exc)
            slots = None
        if isinstance(slots, list) and slots:
            busy = busy_slots(slots)
            if self._follows_server and len(slots) != self._slots.size:
                log.info("the model server %s now has %d slots (was %d)", self.base_url, len(slots),
                         self._slots.size)
                self._slots.resize(len(slots))
            return ServerSlots(total=len(slots), busy=busy, reported=True)
        busy = self._metric("llamacpp:requests_processing") if self._server_total else None
        if busy is not None:
            return ServerSlots(total=self._server_total, busy=busy, reported=True)
        return ServerSlots(total=self._slots.size, busy=self._slots.in_flight(), reported=False)

    def _metric(self, name: str) -> int | None:
        """One gauge of the server's Prometheus text (/metrics, llama.cpp with --metrics), else None."""
        try:
            with self._open("/metrics", root=True, timeout=5) as response:
                text = response.read().decode("utf-8")
        except (*_NETWORK_ERRORS, *_REPLY_ERRORS) as exc:
            log.debug("the model server %s has no /metrics: %r", self.base_url, exc)
            return None
        return prometheus_gauge(text, name)

    # --- one request --------------------------------------------------------------------------

    def _run(self, generation: Generation) -> None:
        if not self._slots.acquire(generation):  # cancelled while it waited for a slot
            generation.stats.queue_s = time.perf_counter() - generation.submitted_at
            with self._active_lock:
                self._active -= 1
            generation.finish()
            return
        try:
            generation.stats.queue_s = time.perf_counter() - generation.submitted_at
            if not generation.cancelled:
                self._stream(generation)
        except GenerationError as exc:
            log.warning("request to the model server %s failed: %s", self.base_url, exc)
            generation.finish(exc)
        except _NETWORK_ERRORS as exc:  # the asker gets a Dutch message; the log gets the detail
            log.warning("request to the model server %s failed: %r", self.base_url, exc)
            generation.finish(_caused_by(GenerationError(_UNREACHABLE), exc))
        except _REPLY_ERRORS as exc:
            log.warning("the model server %s sent an unreadable reply: %r", self.base_url, exc)
            generation.finish(_caused_by(GenerationError(UNREADABLE), exc))
        except Exception as exc:  # a bug of ours: the asker must not wait forever, nor be told "niet bereikbaar"
            log.exception("request to the model server %s failed on our side", self.base_url)
            generation.finish(exc)
        else:
            generation.finish()
        finally:
            self._slots.release()
            with self._active_lock:
                self._active -= 1

    def _stream(self, generation: Generation) -> None:
        request, stats = generation.request, generation.stats
        response = self._post_chat(request)
        chunks = 0
        breaker = ReadBreaker(response)
        generation.on_cancel(breaker.break_off)  # a closed connection tells the server to stop
        try:
            with response:
                for event in sse_events(response):
                    usage = event.get("usage") or {}
                    stats.prompt_tokens = int(usage.get("prompt_tokens") or stats.prompt_tokens)
                    stats.completion_tokens = int(usage.get("completion_tokens") or stats.completion_tokens)
                    for choice in event.get("choices") or []:
                        delta = (choice.get("delta") or {}).get("content")
                        if delta:
                            chunks += 1
                            generation.emit(delta)
                    if generation.cancelled:
                        break
        except (*_NETWORK_ERRORS, GenerationError):
            if not generation.cancelled:
                raise  # else: the read we broke off ourselves; the text so far stands
        finally:
            breaker.close()
        stats.completion_tokens = stats.completion_tokens or chunks  # one token a chunk when streaming
        if not stats.prompt_tokens:
            stats.prompt_tokens = sum(self.count_tokens(str(m.get("content", ""))) for m in request.messages)

    def _post_chat(self, request: GenerationRequest):
        styles = self._schema_styles() if request.json_schema else ["json_schema"]
        for attempt, style in enumerate(styles):
            try:
                response = self._open("/chat/completions", self._body(request, style))
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", errors="replace")[:2000]
                # llama-cpp-python's server refuses the OpenAI form (with a 500) but takes json_object+schema.
                refused_format = exc.code in (400, 422) or "response_format" in detail
                if refused_format and attempt + 1 < len(styles):  # then try the other form
                    log.info("server refused response_format %s (HTTP %s); trying %s", style, exc.code,
                             styles[attempt + 1])
                    continue
                log.warning("model server answered HTTP %s: %s", exc.code, detail)
                raise GenerationError(f"De taalmodelserver weigerde het verzoek (HTTP {exc.code}).") from exc
            if request.json_schema:
                self._remember_schema_style(style)
            return response
        raise AssertionError("the last style returns or raises")  # for readers: the loop never falls through

    def _schema_styles(self) -> list[str]:
        """The forms of response_format to try, the one that worked lately first."""
        if time.monotonic() < self._json_object_until:
            return ["json_object", "json_schema"]
        return ["json_schema", "json_object"]

    def _remember_schema_style(self, style: str) -> None:
        if style == "json_object":
            if time.monotonic() >= self._json_object_until:
                log.info("using json_object+schema for %.0f s, then trying json_schema again",
                         self.fallback_retry_s)
            self._json_object_until = time.monotonic() + self.fallback_retry_s
        else:
            self._json_object_until = 0.0

    def _body(self, request: Any, schema_style: str = "json_schema") -> dict:
        body: dict[str, Any] = {
            "model": self.model_name,
            "messages": list(request.messages),
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "repeat_penalty": request.repeat_penalty,  # llama.cpp
            "repetition_penalty": request.repeat_penalty,  # vLLM
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.stop:
            body["stop"] = list(request.stop)
        if request.json_schema:
            if schema_style == "json_schema":
                body["response_format"] = {"type": "json_schema", "json_schema": {
                    "name": "vraagbaak", "schema": request.json_schema, "strict": True}}
            else:
                body["response_format"] = {"type": "json_object", "schema": request.json_schema}
        return body

    # --- HTTP -----------------------------------------------------------------------------------

    def _open(self, path: str, body: dict | None = None, *, root: bool = False, timeout: float | None = None):
        base = self.base_url.removesuffix("/v1") if root else self.base_url
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(base + path, data=data, method="GET" if data is None else "POST")
        request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        return urllib.request.urlopen(request, timeout=timeout or self.timeout)

    def _server_props(self) -> dict:
        """llama.cpp's /props (slots, a slot's context); {} from a server without it or out of reach."""
        try:
            with self._open("/props", root=True, timeout=5) as response:
                props = json.load(response)
        except (*_NETWORK_ERRORS, *_REPLY_ERRORS) as exc:
            log.debug("the model server %s has no /props: %r", self.base_url, exc)
            return {}
        return props if isinstance(props, dict) else {}

    def _served_model(self) -> str:
        """The first model the server offers, for when no model name is configured."""
        try:
            with self._open("/models", timeout=10) as response:
                reply = json.load(response)
        except (*_NETWORK_ERRORS, *_REPLY_ERRORS) as exc:
            raise GenerationError(f"{_UNREACHABLE} ({self.base_url})") from exc
        models = (reply.get("data") if isinstance(reply, dict) else None) or []
        if not models:
            raise GenerationError("De taalmodelserver biedt geen enkel model aan.")
        return str(models[0].get("id", ""))

    def _server_token_count(self, text: str) -> int | None:
        """The server tokenizer's count; None when it has none or it failed (then estimate for a while)."""
        if time.monotonic() < self._estimate_until:
            return None
        known = self._tokenize_route
        routes = [known, *(r for r in _TOKENIZE_ROUTES if r != known)] if known else list(_TOKENIZE_ROUTES)
        failures: list[str] = []
        absent = 0  # routes the server answered 404/405 for: it has no such tokenizer
        for route in routes:
            body = {"input": text} if route == "/extras/tokenize" else {
                "content": text, "prompt": text, "model": self.model_name}
            try:
                with self._open(route, body, root=True, timeout=10) as response:
                    reply = json.load(response)
            except (*_NETWORK_ERRORS, *_REPLY_ERRORS) as exc:
                absent += isinstance(exc, urllib.error.HTTPError) and exc.code in (404, 405)
                failures.append(f"{route}: {exc!r}")
                continue
            count = _token_count(reply)
            if count is not None:
                self._tokenize_route = route
                return count
            failures.append(f"{route}: no count in the reply")
        self._estimate_until = time.monotonic() + self.fallback_retry_s
        log.log(logging.INFO if absent == len(routes) else logging.WARNING,
                "the model server %s did not count tokens (%s); estimating for %.0f s", self.base_url,
                "; ".join(failures), self.fallback_retry_s)
        return None


def build_openai_generator(settings: "Settings") -> OpenAIGenerator:
    """The server backend as the settings describe it (llm_backend=openai)."""
    return OpenAIGenerator(settings.llm.server_url, settings.llm.server_model, api_key=settings.llm.api_key,
                           n_ctx=settings.llm.n_ctx, max_parallel=settings.llm.server_parallel)


def estimate_tokens(text: str) -> int:
    """An over-estimate: 2 bytes a token. Small models' tokenizers need ~2.4 for Dutch, Mistral's ~3.5."""
    return math.ceil(len(text.encode("utf-8")) / 2) + 1 if text else 0


def _token_count(reply: Any) -> int | None:
    """The count in a tokenize reply: {"count": n} (llama-cpp-python) or {"tokens": [...]} (llama.cpp)."""
    if not isinstance(reply, dict):
        return None
    count, tokens = reply.get("count"), reply.get("tokens")
    if count is None and isinstance(tokens, list):
        count = len(tokens)
    return count if isinstance(count, int) else None


def _caused_by(error: GenerationError, cause: BaseException) -> GenerationError:
    error.__cause__ = cause
    return error
