"""The server backend on a model server with parallel slots: llama.cpp's own `llama-server` (built from
the source the wheel vendors) with the packaged SmolLM2 and 2 slots. Answers stream side by side, a
third waits its turn, a cancelled answer frees its slot at the server, one cancelled while it waits
for a slot is never sent, and the slot figures are read.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.answering.generation import Generation, GenerationRequest
from bot.answering.openai_backend import OpenAIGenerator
from bot.answering.server_slots import DEFAULT_PARALLEL, ServerSlots, prometheus_gauge
from tests.servers.llama import LlamaServer

ROUND = "Bij een volledige werkweek heb je recht op vijfentwintig vakantiedagen per jaar."
QUESTION = [{"role": "user", "content": "Hoeveel vakantiedagen krijg ik per jaar?"}]


def long_answer(rounds: int = 8) -> GenerationRequest:
    """An answer the grammar makes long (`rounds` times the same sentence, ≈ 36 tokens each)
    whatever the model would write, so it is still being generated while the test looks."""
    schema = {"type": "array", "items": {"type": "string", "const": ROUND}, "minItems": rounds, "maxItems": rounds}
    return GenerationRequest(QUESTION, max_tokens=1500, temperature=0.0, repeat_penalty=1.0, json_schema=schema)


def _wait(check, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _first_delta(generation: Generation) -> threading.Event:
    """Set when `generation` streams its first text; the stream is read on to the end in the background."""
    arrived = threading.Event()

    def read() -> None:
        try:
            for _ in generation:
                arrived.set()
        except Exception:  # the test asserts on the generation itself
            pass
    threading.Thread(target=read, daemon=True).start()
    return arrived


@pytest.fixture
def slot_generator(llama_server):
    generator = OpenAIGenerator(llama_server.base_url, n_ctx=4096)  # max_parallel 0: the server's slots
    yield generator
    _wait(lambda: generator.queue_length() == 0, what="the generator to go idle")
    _wait(lambda: generator.server_slots().busy == 0, what="the server's slots to go idle")
    generator.close()


@pytest.mark.slow
def test_the_slot_figures_are_read_from_the_server(slot_generator, llama_server):
    assert slot_generator.model_name == "smollm2"
    assert slot_generator.server_slots() == ServerSlots(total=2, busy=0, reported=True)
    assert slot_generator.n_ctx == 2048, "a slot holds --ctx-size / --parallel tokens: prompts fit in that"
    bounded = OpenAIGenerator(llama_server.base_url, max_parallel=1)
    assert bounded.server_slots().total == 2, "the server's figures, not this client's own bound"


@pytest.mark.slow
def test_two_answers_stream_at_once_and_a_third_waits(slot_generator):
    first, second = slot_generator.submit(long_answer()), slot_generator.submit(long_answer())
    third = slot_generator.submit(GenerationRequest(QUESTION, max_tokens=8, temperature=0.0))
    started = [_first_delta(first), _first_delta(second)]
    assert all(event.wait(60) for event in started), "both answers stream"
    assert not first.done() and not second.done(), "side by side, not one after the other"
    assert first.position() == second.position() == 0
    assert third.position() >= 1 and not third.done(), "two slots: the third waits here for one"
    assert slot_generator.server_slots() == ServerSlots(total=2, busy=2, reported=True)
    first.cancel()
    third.text()
    assert third.stats.completion_tokens >= 1, "a freed slot takes the next in line"
    assert second.text().count("vijfentwintig") == 8, "the other answer ran on to the end"


@pytest.mark.slow
def test_a_cancelled_answer_frees_its_slot_at_the_server(slot_generator, llama_server):
    generation = slot_generator.submit(long_answer(rounds=40))  # ≈ 1400 tokens to the end
    assert _first_delta(generation).wait(60)
    assert slot_generator.server_slots().busy == 1
    generation.cancel()
    generation.text()  # finishes with the text so far, no error
    _wait(lambda: slot_generator.server_slots().busy == 0, timeout=15, what="llama-server to free the slot")
    decoded = [slot["next_token"][0]["n_decoded"] for slot in llama_server.slots() if slot.get("next_token")]
    assert decoded and max(decoded) < 700, "stopped long before the grammar's end"


def _prompt_tokens_read(server: LlamaServer) -> int:
    """Every prompt token the server has read so far, from its cache or not (its /metrics counters)."""
    with urllib.request.urlopen(server.root_url + "/metrics", timeout=5) as response:
        text = response.read().decode("utf-8")
    counts = [prometheus_gauge(text, f"llamacpp:{name}")
              for name in ("prompt_tokens_total", "prompt_tokens_cached_total")]
    assert None not in counts, text
    return sum(counts)


@pytest.mark.slow
def test_an_answer_stopped_while_it_waits_for_a_slot_never_reaches_the_server(slot_generator, llama_server):
    busy = [slot_generator.submit(long_answer(rounds=40)) for _ in range(2)]  # both slots, ≈ 1400 tokens each
    assert all(_first_delta(g).wait(60) for g in busy), "both slots are generating"
    read_before = _prompt_tokens_read(llama_server)
    long_question = [{"role": "user", "content": "Wat staat er in dit verslag? " + "Het overleg liep uit. " * 200}]
    waiting = slot_generator.submit(GenerationRequest(long_question, max_tokens=8, temperature=0.0))
    behind = slot_generator.submit(GenerationRequest(QUESTION, max_tokens=8, temperature=0.0))
    ahead_of_behind = behind.position()
    assert waiting.position() >= 1 and ahead_of_behind == waiting.position() + 1

    waiting.cancel()  # the stop button, or the question's lease lost
    _wait(waiting.done, timeout=5, what="the stopped answer to leave the line")
    assert waiting.text() == ""
    assert not any(g.done() for g in busy), "it left the line while both slots were still busy"
    assert behind.position() == ahead_of_behind - 1, "the one behind it moved up"
    assert slot_generator.queue_length() == 3

    for generation in busy:
        generation.cancel()
    behind.text()
    assert behind.stats.completion_tokens >= 1, "a freed slot went to the next one still waiting"
    read = _prompt_tokens_read(llama_server) - read_before
    assert read < slot_generator.count_tokens(long_question[0]["content"]), "the stopped one was never read"


@pytest.mark.slow
def test_without_the_slots_endpoint_the_metrics_tell_the_busy_slots(tmp_path):
    """`--no-slots` (what an operator should run: /slots shows every slot's last prompt, other
    people's questions included): busy comes from /metrics, the total from /props."""
    from bot.model_files.resolving import packaged_llm_path

    server = LlamaServer(packaged_llm_path(), tmp_path / "server.log", parallel=2, extra_args=("--no-slots",))
    server.start()
    try:
        generator = OpenAIGenerator(server.base_url)
        assert generator.server_slots() == ServerSlots(total=2, busy=0, reported=True)
        generation = generator.submit(long_answer())
        assert _first_delta(generation).wait(60)
        assert generator.server_slots() == ServerSlots(total=2, busy=1, reported=True)
        generation.cancel()
        generation.text()
        _wait(lambda: generator.server_slots().busy == 0, timeout=15, what="the slot to be freed")
    finally:
        server.stop()


class _SilentServer(BaseHTTPRequestHandler):
    """Takes a chat request, answers 200 with an event stream, then sends nothing (a server still
    reading a long prompt) until the client goes away; reports the hang-up. No /props, no /slots."""

    asked = threading.Event()
    hung_up = threading.Event()

    def do_GET(self) -> None:
        body = json.dumps({"data": [{"id": "m"}]}).encode() if self.path == "/v1/models" else b"{}"
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/chat/completions":  # no tokenizer either
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.flush()
        type(self).asked.set()
        self.connection.settimeout(30)
        if self.connection.recv(1) == b"":  # the client closed: what llama.cpp notices to free the slot
            type(self).hung_up.set()

    def log_message(self, *args) -> None:
        pass


def test_a_cancel_breaks_off_a_stream_that_sends_nothing():
    _SilentServer.asked.clear()
    _SilentServer.hung_up.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SilentServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        generator = OpenAIGenerator(f"http://127.0.0.1:{server.server_address[1]}/v1")
        generation = generator.submit(GenerationRequest(QUESTION, max_tokens=8))
        assert _SilentServer.asked.wait(10)
        generation.cancel()
        assert _SilentServer.hung_up.wait(10), "the connection is closed at once, not at the next token"
        assert generation.text() == ""
        assert generator.server_slots() == ServerSlots(total=DEFAULT_PARALLEL, busy=0, reported=False), \
            "a server without /slots: this client's own bound and requests"
    finally:
        server.shutdown()
        server.server_close()
