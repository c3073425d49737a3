"""The OpenAI-compatible backend against llama-cpp-python's own server running the small model."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.answering.generation import Generation, GenerationError, GenerationRequest, Generator
from bot.answering.llm import build_generator
from bot.answering.openai_backend import OpenAIGenerator, estimate_tokens
from tests.conftest import make_settings
from tests.operations.conftest import MODEL_ALIAS, free_port

pytestmark = pytest.mark.slow

QUESTION = [{"role": "system", "content": "Je bent een behulpzame assistent. Antwoord kort in het Nederlands."},
            {"role": "user", "content": "Hoeveel dagen heeft een week?"}]


@pytest.fixture(scope="module")
def server_generator(llm_server):
    generator = OpenAIGenerator(llm_server, n_ctx=2048)
    yield generator
    generator.close()


def _wait(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_it_is_a_generator_and_finds_the_served_model(server_generator):
    assert isinstance(server_generator, Generator)
    assert server_generator.model_name == MODEL_ALIAS  # asked /v1/models: no name configured
    assert server_generator.n_ctx == 2048


def test_streams_text_deltas(server_generator):
    generation = server_generator.submit(GenerationRequest(QUESTION, max_tokens=12, temperature=0.0))
    assert isinstance(generation, Generation)
    deltas = list(generation)
    assert len(deltas) >= 2 and all(isinstance(d, str) and d for d in deltas)
    assert generation.text() == "".join(deltas)
    assert generation.position() == 0
    stats = generation.stats
    assert 2 <= stats.completion_tokens <= 12
    assert stats.prompt_tokens > 10
    assert 0 < stats.first_token_s <= stats.total_s


def test_json_schema_constrains_the_answer(server_generator):
    schema = {"type": "object", "properties": {"taal": {"type": "string", "enum": ["nederlands", "engels"]},
                                               "dagen": {"type": "integer"}},
              "required": ["taal", "dagen"], "additionalProperties": False}
    request = GenerationRequest(QUESTION + [{"role": "user", "content": "Antwoord als JSON."}],
                                max_tokens=40, temperature=0.0, json_schema=schema)
    answer = json.loads(server_generator.submit(request).text())
    assert set(answer) == {"taal", "dagen"}
    assert answer["taal"] in {"nederlands", "engels"} and isinstance(answer["dagen"], int)


def test_count_tokens_uses_the_servers_tokenizer(server_generator):
    from llama_cpp import Llama

    from bot.model_files.resolving import packaged_llm_path

    vocab = Llama(model_path=str(packaged_llm_path()), vocab_only=True, verbose=False)
    try:
        text = "Hoeveel vakantiedagen krijg ik per jaar bij een fulltime dienstverband?"
        expected = len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True))
    finally:
        vocab.close()
    assert server_generator.count_tokens(text) == expected
    assert server_generator.count_tokens(text) == expected  # cached


def test_queue_positions_with_one_slot(llm_server):
    generator = OpenAIGenerator(llm_server, MODEL_ALIAS, n_ctx=2048, max_parallel=1)
    requests = [GenerationRequest(QUESTION, max_tokens=n, temperature=0.0) for n in (24, 4, 4)]
    generations = [generator.submit(r) for r in requests]
    assert generator.queue_length() == 3
    positions = [g.position() for g in generations]
    assert positions[1] >= 1 and positions[2] == positions[1] + 1
    finished: list[int] = []
    threads = [threading.Thread(target=lambda i=i, g=g: (g.text(), finished.append(i)))
               for i, g in enumerate(generations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert finished == [0, 1, 2]  # one slot: answered in the order asked
    assert [g.position() for g in generations] == [0, 0, 0]
    _wait(lambda: generator.queue_length() == 0)


def test_build_generator_dispatches_on_llm_backend(llm_server, tmp_path):
    settings = make_settings(tmp_path, llm_backend="openai", llm_server_url=llm_server,
                             llm_server_model=MODEL_ALIAS, n_ctx=2048)
    generator = build_generator(settings)
    assert isinstance(generator, OpenAIGenerator) and generator.model_name == MODEL_ALIAS


def test_unreachable_server_gives_a_dutch_error():
    port = free_port()  # nothing listens there
    with pytest.raises(GenerationError, match="niet bereikbaar"):
        OpenAIGenerator(f"http://127.0.0.1:{port}/v1")
    generator = OpenAIGenerator(f"http://127.0.0.1:{port}/v1", "some-model")
    generation = generator.submit(GenerationRequest(QUESTION, max_tokens=4))
    with pytest.raises(GenerationError, match="niet bereikbaar"):
        generation.text()
    _wait(lambda: generator.queue_length() == 0)


class _PlainOpenAIServer(BaseHTTPRequestHandler):
    """A server with the OpenAI form of response_format and no tokenizer route (like vLLM without extras)."""

    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        type(self).seen.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ('{"ok": ', "true}"):
            event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        usage = {"choices": [], "usage": {"prompt_tokens": 17, "completion_tokens": 2}}
        self.wfile.write(f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode())

    def log_message(self, *args) -> None:
        pass


def test_openai_form_usage_figures_and_token_estimate():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainOpenAIServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        generator = OpenAIGenerator(f"http://127.0.0.1:{server.server_address[1]}/v1", "m", api_key="k")
        schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
        generation = generator.submit(GenerationRequest(QUESTION, max_tokens=8, json_schema=schema, stop=("\n\n",)))
        assert json.loads(generation.text()) == {"ok": True}
        assert (generation.stats.prompt_tokens, generation.stats.completion_tokens) == (17, 2)
        sent = _PlainOpenAIServer.seen[-1]
        assert sent["stream"] is True and sent["stop"] == ["\n\n"] and sent["model"] == "m"
        assert sent["response_format"] == {"type": "json_schema", "json_schema": {
            "name": "vraagbaak", "schema": schema, "strict": True}}
        text = "Medewerkers hebben recht op 25 vakantiedagen per jaar."
        assert generator.count_tokens(text) == estimate_tokens(text)  # no tokenizer route: estimated
    finally:
        server.shutdown()
        server.server_close()


def test_token_estimate_is_conservative():
    from llama_cpp import Llama

    from bot.model_files.resolving import packaged_llm_path
    from tests.conftest import SAMPLE

    vocab = Llama(model_path=str(packaged_llm_path()), vocab_only=True, verbose=False)
    try:
        for path in sorted(SAMPLE.rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            real = len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))
            assert estimate_tokens(text) >= real, path.name
    finally:
        vocab.close()


def test_answer_engine_answers_through_the_server(server_generator, embedder, hr_index, tmp_path):
    from bot.answering.engine import AnswerEngine
    from knowledge.retrieval import Retriever
    from knowledge.index.store import ChunkStore

    # a small context keeps the prompt short: prompt processing dominates on a busy CPU
    settings = make_settings(tmp_path, max_tokens=32, answer_cache_size=0, top_k=3, context_budget_tokens=300)
    engine = AnswerEngine.from_parts(settings, retriever=Retriever(embedder, ChunkStore(hr_index)),
                                     generator=server_generator, embedder=embedder)
    stream = engine.ask("Hoeveel vakantiedagen krijg ik per jaar?")
    deltas = list(stream)
    answer = stream.result()
    assert not answer.abstained and deltas
    assert any(source.path == "vakantie-en-verlof.md" for source in answer.sources)
    assert answer.timings["prompt_tokens"] > 50 and 0 < answer.timings["completion_tokens"] <= 32


def test_a_prompt_longer_than_the_servers_context_is_an_error_not_an_empty_answer(server_generator):
    # llama-cpp-python's server just closes the stream when the prompt does not fit its n_ctx.
    too_long = [{"role": "user", "content": "Vakantiedagen en verlof. " * 700}]
    generation = server_generator.submit(GenerationRequest(too_long, max_tokens=4))
    with pytest.raises(GenerationError, match="brak het antwoord af"):
        generation.text()


class _ScriptedServer(BaseHTTPRequestHandler):
    """An OpenAI-compatible server whose failures a test scripts: tokenizer answers 503 the first
    `tokenizer_failures` times, the OpenAI schema form is refused (HTTP 400) the first
    `refusals` times (every chat request while `refuse_all`), and a chat reply is `chat_reply`
    (server-sent events) when set."""

    tokenizer_failures = 0
    refusals = 0
    refuse_all = False
    chat_reply: bytes | None = None

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        kind = type(self)
        kind.seen.append((self.path, body))
        if self.path == "/extras/tokenize":
            if kind.tokenizer_failures > 0:
                kind.tokenizer_failures -= 1
                self.send_error(503)
                return
            self._send("application/json", json.dumps({"count": 7}).encode())
        elif self.path == "/v1/chat/completions":
            form = (body.get("response_format") or {}).get("type")
            if kind.refuse_all:
                self.send_error(400, "prompt too long")
                return
            if form == "json_schema" and kind.refusals > 0:
                kind.refusals -= 1
                self.send_error(400, "response_format json_schema is not supported")
                return
            event = {"choices": [{"index": 0, "delta": {"content": '{"ok": true}'}}]}
            reply = kind.chat_reply or f"data: {json.dumps(event)}\n\ndata: [DONE]\n\n".encode()
            self._send("text/event-stream", reply)
        else:
            self.send_error(404)

    def _send(self, content_type: str, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def scripted():
    """Yields (handler class, base URL) of a fresh scripted server."""
    handler = type("Scripted", (_ScriptedServer,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_bug_of_ours_is_not_reported_as_an_unreachable_server(scripted, caplog):
    handler, url = scripted
    generator = OpenAIGenerator(url, "m")
    not_json = [{"role": "user", "content": {"een", "set"}}]  # our mistake: cannot be sent as JSON
    generation = generator.submit(GenerationRequest(not_json, max_tokens=4))
    with pytest.raises(TypeError, match="not JSON serializable"):
        generation.text()
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)  # logged with its traceback
    _wait(lambda: generator.queue_length() == 0)
    assert generator.submit(GenerationRequest(QUESTION, max_tokens=4)).text() == '{"ok": true}'


def test_a_reply_that_is_not_json_is_called_unreadable(scripted):
    handler, url = scripted
    handler.chat_reply = b"data: {niet: json\n\n"
    generation = OpenAIGenerator(url, "m").submit(GenerationRequest(QUESTION, max_tokens=4))
    with pytest.raises(GenerationError, match="onleesbaar"):
        generation.text()


def test_a_tokenizer_that_failed_once_is_asked_again_after_the_cool_down(scripted):
    handler, url = scripted
    text = "Hoeveel vakantiedagen krijg ik?"
    handler.tokenizer_failures = 1
    retrying = OpenAIGenerator(url, "m", fallback_retry_s=0)
    assert retrying.count_tokens(text) == estimate_tokens(text)  # 503, and /tokenize is absent: estimated
    assert retrying.count_tokens(text) == 7  # the server's tokenizer again, not an estimate for good


def test_within_the_cool_down_the_failed_tokenizer_is_left_alone(scripted):
    handler, url = scripted
    text = "Hoeveel vakantiedagen krijg ik?"
    handler.tokenizer_failures = 1
    patient = OpenAIGenerator(url, "m", fallback_retry_s=3600)
    assert patient.count_tokens(text) == estimate_tokens(text)
    asked = len(handler.seen)
    assert patient.count_tokens(text) == estimate_tokens(text)
    assert len(handler.seen) == asked  # not asked again during the cool-down


def test_one_refusal_of_the_openai_schema_form_does_not_decide_for_good(scripted):
    handler, url = scripted
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    asked = GenerationRequest(QUESTION, max_tokens=8, json_schema=schema)

    def forms() -> list[str]:
        return [body["response_format"]["type"] for path, body in handler.seen if path == "/v1/chat/completions"]

    handler.refusals = 1
    retrying = OpenAIGenerator(url, "m", fallback_retry_s=0)
    assert retrying.submit(asked).text() == '{"ok": true}'  # refused, then sent as json_object
    assert retrying.submit(asked).text() == '{"ok": true}'
    assert forms() == ["json_schema", "json_object", "json_schema"]

    handler.seen.clear()
    handler.refusals = 1
    patient = OpenAIGenerator(url, "m", fallback_retry_s=3600)
    patient.submit(asked).text()
    patient.submit(asked).text()
    assert forms() == ["json_schema", "json_object", "json_object"]  # the form that worked, for a while


def test_a_request_refused_in_both_forms_is_an_error_and_changes_nothing(scripted):
    handler, url = scripted
    asked = GenerationRequest(QUESTION, max_tokens=8, json_schema={"type": "object"})
    generator = OpenAIGenerator(url, "m", fallback_retry_s=3600)
    handler.refuse_all = True  # e.g. a prompt too long for the server, in whatever form it is sent
    with pytest.raises(GenerationError, match="weigerde"):
        generator.submit(asked).text()
    handler.refuse_all = False
    handler.seen.clear()
    assert generator.submit(asked).text() == '{"ok": true}'
    sent = [body["response_format"]["type"] for path, body in handler.seen if path == "/v1/chat/completions"]
    assert sent == ["json_schema"]
