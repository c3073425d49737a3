"""Prometheus metrics and the health check: counters move when questions are answered."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.operations.metrics import Metrics


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, parsed from the Prometheus text format."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_answers_and_reindex_runs_are_counted():
    m = Metrics()
    m.observe_answer("mention", total_s=3.2, first_token_s=0.8)
    m.observe_answer("mention", abstained=True, total_s=0.4, first_token_s=0.0)
    m.observe_answer("dm", cached=True, total_s=0.01, first_token_s=0.01)
    m.observe_failed_question("slash")
    m.observe_reindex("schedule", seconds=12.5, failed=False, failed_files=2)
    m.observe_reindex("slack", seconds=1.0, failed=True)
    value = m.registry.get_sample_value
    assert value("vraagbaak_questions_total", {"entry_point": "mention", "outcome": "answered"}) == 1
    assert value("vraagbaak_questions_total", {"entry_point": "mention", "outcome": "abstained"}) == 1
    assert value("vraagbaak_questions_total", {"entry_point": "dm", "outcome": "cached"}) == 1
    assert value("vraagbaak_questions_total", {"entry_point": "slash", "outcome": "failed"}) == 1
    assert value("vraagbaak_answer_seconds_count", {"entry_point": "mention"}) == 2
    assert value("vraagbaak_answer_seconds_sum", {"entry_point": "mention"}) == pytest.approx(3.6)
    # only generated answers have a time to first token
    assert value("vraagbaak_first_token_seconds_count", {"entry_point": "mention"}) == 1
    assert value("vraagbaak_first_token_seconds_count", {"entry_point": "dm"}) is None
    assert value("vraagbaak_reindex_seconds_count", {"trigger": "schedule"}) == 1
    assert value("vraagbaak_reindex_failures_total", {"trigger": "slack"}) == 1
    assert value("vraagbaak_reindex_runs_total", {"trigger": "slack", "outcome": "failed"}) == 1
    assert value("vraagbaak_reindex_failed_files_total") == 2


def test_queue_gauge_reads_the_queue_at_scrape_time():
    m, queue = Metrics(), [3]
    m.track_queue(lambda: queue[0])
    assert m.registry.get_sample_value("vraagbaak_queue_length") == 3
    queue[0] = 0
    assert m.registry.get_sample_value("vraagbaak_queue_length") == 0


def test_each_process_has_one_registry_of_its_own(tmp_path):
    from prometheus_client import REGISTRY

    from bot.services import Services
    from tests.conftest import make_settings

    services = Services(make_settings(tmp_path))
    assert services.metrics is services.metrics  # built once, by the composition root
    assert services.metrics.registry is not REGISTRY
    assert Metrics().registry is not services.metrics.registry


def test_metrics_server_serves_metrics_and_health():
    m = Metrics()
    healthy = [True]
    server = m.serve(0, host="127.0.0.1", health=lambda: (healthy[0], {"queue_length": 2}))
    try:
        base = f"http://127.0.0.1:{server.port}"
        m.observe_answer("dm", total_s=1.0, first_token_s=0.2)
        status, text = _get(base + "/metrics")
        assert status == 200
        assert _samples(text)[("vraagbaak_questions_total", (("entry_point", "dm"), ("outcome", "answered")))] == 1
        for path in ("/health", "/healthz"):
            status, body = _get(base + path)
            assert status == 200 and json.loads(body) == {"status": "ok", "queue_length": 2}
        healthy[0] = False
        status, body = _get(base + "/health")
        assert status == 503 and json.loads(body)["status"] == "unhealthy"
        assert _get(base + "/elders")[0] == 404
    finally:
        server.close()


def test_a_crashing_health_check_is_unhealthy_not_a_crash():
    server = Metrics().serve(0, host="127.0.0.1", health=lambda: 1 / 0)
    try:
        status, body = _get(f"http://127.0.0.1:{server.port}/health")
        assert status == 503 and json.loads(body) == {"status": "unhealthy", "error": "ZeroDivisionError"}
    finally:
        server.close()


def test_healthcheck_command(monkeypatch, capsys, tmp_path: Path):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    server = Metrics().serve(0, host="127.0.0.1")
    try:
        monkeypatch.setenv("VRAAGBAAK_METRICS_PORT", str(server.port))
        assert main(["healthcheck"]) == 0
    finally:
        server.close()
    assert main(["healthcheck"]) == 1  # nothing listens any more
    assert "niet bereikbaar" in capsys.readouterr().err


def _scrape_until_counted(base: str, before: dict, timeout: float = 10.0) -> dict:
    """The metrics once a mention was counted (any outcome) since `before`."""
    def mentions(samples: dict) -> float:
        return sum(v for (name, labels), v in samples.items()
                   if name == "vraagbaak_questions_total" and ("entry_point", "mention") in labels)
    deadline = time.monotonic() + timeout
    while True:
        after = _samples(_get(base + "/metrics")[1])
        if mentions(after) > mentions(before) or time.monotonic() > deadline:
            return after
        time.sleep(0.05)


# --- with the real parts ------------------------------------------------------------------------

@pytest.mark.slow
def test_reindex_runs_are_observed(tmp_path: Path, embedder):
    from bot.services import Services
    from tests.conftest import make_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "verlof.md").write_text("# Verlof\n\nJe hebt 25 vakantiedagen per jaar.\n", encoding="utf-8")
    (docs / "kapot.pdf").write_bytes(b"%PDF-1.4 dit is geen echte pdf")
    settings = make_settings(tmp_path / "data", sources={"hr": docs, "weg": tmp_path / "bestaat-niet"})
    services = Services(settings, embedder=embedder)
    reindexer, m = services.reindexer, services.metrics  # the composition root connects them
    reindexer.run(["hr"], trigger="slack:U0ADMIN")
    reindexer.run(["weg"], trigger="schema:reindex")
    value = m.registry.get_sample_value
    assert value("vraagbaak_reindex_runs_total", {"trigger": "slack", "outcome": "ok"}) == 1
    assert value("vraagbaak_reindex_failed_files_total") == 1  # kapot.pdf
    assert value("vraagbaak_reindex_failures_total", {"trigger": "schema"}) == 1
    assert value("vraagbaak_reindex_seconds_count", {"trigger": "slack"}) == 1


@pytest.mark.slow
def test_serve_exposes_metrics_that_move_with_answers(tmp_path: Path, embedder, hr_index, llm_server):
    """`vraagbaak serve` on the scaling path (model server backend) with metrics on: answer a
    mention through the fake Slack, then scrape. (One question: prompt processing is slow on a busy CPU.)"""
    from bot.slack.transport.serving import serve
    from tests.fakes.slack import FakeSlack
    from tests.operations.conftest import MODEL_ALIAS, free_port
    from bot.services import Services
    from tests.slack.conftest import CHANNEL, USER, bot_settings

    port = free_port()
    with FakeSlack() as slack:
        slack.workspace.add_user(USER, "alice")
        settings = bot_settings(tmp_path, slack, metrics_port=port, index_uri=hr_index, llm_backend="openai",
                                llm_server_url=llm_server, llm_server_model=MODEL_ALIAS, n_ctx=2048,
                                max_tokens=8, temperature=0.0, top_k=3, context_budget_tokens=300, answer_cache_size=0,
                                reindex_cron="", consistency_cron="")
        services = Services(settings, embedder=embedder)
        stop, ready = threading.Event(), threading.Event()
        thread = threading.Thread(target=serve, args=(services,), kwargs={"stop": stop, "ready": ready},
                                  daemon=True)
        thread.start()
        try:
            assert ready.wait(60)
            base = f"http://127.0.0.1:{port}"
            before = _samples(_get(base + "/metrics")[1])
            slack.wait_for_connection()
            slack.push_event(slack.user_posts("Hoeveel vakantiedagen krijg ik?", user=USER, channel=CHANNEL))
            # The final answer ends the stream (chat.stopStream with the sources and buttons), or
            # replaces the streamed text (chat.update), or is posted where nothing was streamed.
            final = lambda c: bool(c.params.get("blocks"))  # noqa: E731
            slack.wait_until(lambda: slack.calls_to("chat.update", final) or slack.calls_to("chat.postMessage", final)
                             or slack.calls_to("chat.stopStream", final),  # a stream ends with its blocks (h/stream)
                             240, "the final answer")
            after = _scrape_until_counted(base, before)  # counted just after the final message
            status, health = _get(base + "/health")
        finally:
            stop.set()
            thread.join(30)
            services.close()

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    # the tiny model may or may not cite its passages; either way the question was handled once
    assert sum(moved("vraagbaak_questions_total", entry_point="mention", outcome=outcome)
               for outcome in ("answered", "abstained")) == 1
    assert moved("vraagbaak_questions_total", entry_point="mention", outcome="failed") == 0
    assert moved("vraagbaak_answer_seconds_count", entry_point="mention") == 1
    assert after[("vraagbaak_queue_length", ())] == 0
    assert status == 200 and json.loads(health)["model"] == MODEL_ALIAS
    assert not thread.is_alive()
