"""The local generator with the real packaged SmolLM2 GGUF: streaming, one worker with a FIFO queue,
KV-cache reuse of the instruction prefix, JSON-schema grammar, clear load errors."""

from __future__ import annotations

import json
import logging
import os
import threading
import time

import pytest

from bot.answering.generation import Generation, GenerationError, GenerationRequest, Generator
from bot.answering.llm import LlamaGenerator, build_generator
from bot.errors import ModelError
from bot.model_files.resolving import packaged_llm_path
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

SYSTEM = "You answer questions briefly. " * 20


def request(question: str, *, system: str = SYSTEM, max_tokens: int = 8, **kwargs) -> GenerationRequest:
    return GenerationRequest([{"role": "system", "content": system}, {"role": "user", "content": question}],
                             max_tokens=max_tokens, **kwargs)


def test_the_generator_follows_the_protocol(generator):
    assert isinstance(generator, Generator)
    assert generator.n_ctx == 4096 and "SmolLM2" in generator.model_name
    assert generator.count_tokens("Hoeveel vakantiedagen krijg ik?") > 3


def test_text_streams_in_several_deltas_and_adds_up_to_the_whole(generator):
    generation = generator.submit(request("Name three colours.", max_tokens=12))
    deltas = list(generation)
    assert len(deltas) > 2
    assert "".join(deltas) == generation.text()
    assert generation.stats.completion_tokens >= len(deltas)
    assert 0 < generation.stats.first_token_s <= generation.stats.total_s


def test_five_concurrent_requests_are_served_one_at_a_time_in_order(generator):
    blocker = generator.submit(request("Write a long story about a cat.", max_tokens=48))
    queued = [generator.submit(request(f"Say the number {i}.")) for i in range(5)]
    assert [g.position() for g in queued] == [1, 2, 3, 4, 5]
    assert generator.queue_length() == 6

    last_positions: list[int] = []

    def watch_last() -> None:
        while not queued[-1].done():
            last_positions.append(queued[-1].position())
            time.sleep(0.005)

    watcher = threading.Thread(target=watch_last)
    watcher.start()
    results: dict[int, str] = {}
    readers = [threading.Thread(target=lambda i=i: results.__setitem__(i, queued[i].text())) for i in range(5)]
    for reader in readers:
        reader.start()
    for reader in readers + [watcher]:
        reader.join(timeout=120)
    blocker.text()

    assert sorted(results) == [0, 1, 2, 3, 4]
    spans = [(g.submitted_at + g.stats.queue_s, g.submitted_at + g.stats.total_s) for g in [blocker, *queued]]
    for (start, end), (next_start, _) in zip(spans, spans[1:]):
        assert start < end <= next_start  # FIFO, never two at once
    assert last_positions == sorted(last_positions, reverse=True) and last_positions[-1] <= 1
    assert generator.queue_length() == 0


def test_the_instruction_prefix_is_reused_from_the_kv_cache():
    # Saved snapshots (test_prefix_states.py) would make the first request warm too: off here, so
    # this measures what llama.cpp's live cache alone keeps between two requests.
    generator = LlamaGenerator(packaged_llm_path(), n_ctx=4096, n_threads=os.cpu_count() or 1,
                               n_threads_batch=os.cpu_count() or 1, prefix_states=0)
    try:
        generator.submit(request("Hello.", system="Something else entirely. " * 20)).text()
        cold = generator.submit(request("What is the capital of France?"))
        cold.text()
        warm = generator.submit(request("What is two plus two?"))
        warm.text()

        system_tokens = generator.count_tokens(SYSTEM)
        assert cold.stats.cached_prompt_tokens < 10
        assert warm.stats.cached_prompt_tokens >= system_tokens
        assert warm.stats.prompt_tokens > warm.stats.cached_prompt_tokens
    finally:
        generator.close()


def test_json_schema_constrains_the_output(generator):
    schema = {"type": "object", "properties": {"kleur": {"type": "string", "maxLength": 12}},
              "required": ["kleur"], "additionalProperties": False}
    generation = generator.submit(request("Give me a colour as JSON.", max_tokens=40, json_schema=schema))
    value = json.loads(generation.text())
    assert set(value) == {"kleur"} and isinstance(value["kleur"], str)


def test_a_prompt_longer_than_the_context_is_a_clear_error_and_the_worker_goes_on(generator, caplog):
    caplog.set_level(logging.WARNING, logger="bot.answering.llm")
    too_long = generator.submit(request("vakantiewoord " * 5000))
    with pytest.raises(GenerationError, match="te lang"):
        too_long.text()
    after = generator.submit(request("Tel van één tot tien.", max_tokens=12))
    assert after.text().strip() and after.stats.completion_tokens > 0  # the worker went on
    logged = [r for r in caplog.records if r.name == "bot.answering.llm" and r.levelno == logging.WARNING]
    assert len(logged) == 1 and "te lang" in logged[0].getMessage()
    assert "vakantiewoord" not in logged[0].getMessage()  # the question's text stays out of the log


def test_a_cancelled_request_stops_early(generator):
    generation = generator.submit(request("Write a long story about a dog.", max_tokens=200))
    next(iter(generation))
    generation.cancel()
    generation.text()
    assert generation.stats.completion_tokens < 200


def test_build_generator_uses_all_cores_unless_told_otherwise(tmp_path):
    settings = make_settings(tmp_path)
    generator = build_generator(settings)
    try:
        assert isinstance(generator, LlamaGenerator)
        assert generator._llama.n_threads == os.cpu_count()
        assert generator._llama.n_threads_batch == os.cpu_count()
    finally:
        generator.close()


def test_closing_fails_waiting_requests_and_refuses_new_ones():
    generator = LlamaGenerator(packaged_llm_path(), n_ctx=1024, n_threads=1, n_threads_batch=1)
    running = generator.submit(request("Write a story.", max_tokens=32))
    waiting = [generator.submit(request(f"Number {i}.")) for i in range(3)]
    next(iter(running))  # the worker has started on it
    generator.close()
    running.text()  # the one being generated finishes
    failed = 0
    for generation in waiting:
        try:
            generation.text()
        except GenerationError:
            failed += 1
    assert failed == 3
    with pytest.raises(GenerationError):
        generator.submit(request("Too late."))


@pytest.mark.parametrize("damage", ["truncated", "not a gguf", "missing"])
def test_a_broken_model_file_is_a_clear_dutch_error_at_start_up(tmp_path, damage):
    path = tmp_path / "model.gguf"
    if damage == "truncated":
        with packaged_llm_path().open("rb") as fh:
            path.write_bytes(fh.read(4_000_000))
    elif damage == "not a gguf":
        path.write_text("dit is geen model")
    with pytest.raises(ModelError) as caught:
        LlamaGenerator(path, n_ctx=512, n_threads=1, n_threads_batch=1)
    assert "model" in str(caught.value).lower() and "Traceback" not in str(caught.value)


def test_a_generation_without_queue_reports_position_zero():
    assert Generation(request("x")).position() == 0


def test_the_bots_own_background_work_is_no_place_in_the_line():
    """The warm-up at start-up must not make the first question 'de 2e in de rij'."""
    from bot.answering.llm import _RequestQueue

    queue = _RequestQueue()
    warm_up = Generation(GenerationRequest([], max_tokens=1, background=True), queue)
    first, second = (Generation(GenerationRequest([], max_tokens=8), queue) for _ in range(2))
    for generation in (warm_up, first, second):
        queue.put(generation)
    assert (queue.position(first), queue.position(second)) == (0, 1)
    assert queue.take() is warm_up  # the warm-up is being generated: still nobody ahead of `first`
    assert (queue.position(first), queue.position(second)) == (0, 1)
    assert queue.take() is first
    assert queue.position(second) == 1


def test_the_engines_warm_up_is_background_work():
    from bot.answering.engine import AnswerEngine
    from tests.generators import ScriptedGenerator
    from tests.slack.fakes import FixedRetriever

    scripted = ScriptedGenerator("ok")
    try:
        AnswerEngine(FixedRetriever(), scripted).warm_up().text()
        AnswerEngine(FixedRetriever(), scripted, min_relevance=0.0).ask("Hoeveel vakantiedagen?").result()
    finally:
        scripted.close()
    assert [r.background for r in scripted.requests] == [True, False]
