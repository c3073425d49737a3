"""Prometheus metrics: one registry per process, served with a health check on `metrics_port`.

The composition root builds the process's one `Metrics` and hands it to what answers (the Slack
answer flow) and re-indexes (an observer of the Reindexer's runs); they report through its small
`observe_*` methods. This module imports nothing from bot/slack or knowledge.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

if TYPE_CHECKING:
    from bot.answering.generation import Generator

log = logging.getLogger(__name__)

# Answers on CPU take seconds to minutes; the buckets follow that, not web-request latencies.
ANSWER_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600)
FIRST_TOKEN_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120)
REINDEX_BUCKETS = (0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)

HEALTH_PATHS = ("/health", "/healthz")  # /health as in Slack HTTP mode; /healthz as Kubernetes habit
HealthCheck = Callable[[], "tuple[bool, dict[str, Any]]"]


class Metrics:
    """The counters, histograms and gauges of one Vraagbaak process, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.questions = Counter(
            "vraagbaak_questions", "Questions handled, by entry point and outcome "
            "(answered, abstained, cached, failed).", ["entry_point", "outcome"], registry=r)
        self.answer_seconds = Histogram(
            "vraagbaak_answer_seconds", "Seconds from question to complete answer.",
            ["entry_point"], buckets=ANSWER_BUCKETS, registry=r)
        self.first_token_seconds = Histogram(
            "vraagbaak_first_token_seconds", "Seconds from question to the first streamed token.",
            ["entry_point"], buckets=FIRST_TOKEN_BUCKETS, registry=r)
        self.queue_length = Gauge(
            "vraagbaak_queue_length", "Questions waiting for or being answered by the language model.",
            registry=r)
        self.reindex_seconds = Histogram(
            "vraagbaak_reindex_seconds", "Duration of re-index runs.", ["trigger"],
            buckets=REINDEX_BUCKETS, registry=r)
        self.reindex_runs = Counter(
            "vraagbaak_reindex_runs", "Re-index runs, by trigger and outcome (ok, failed).",
            ["trigger", "outcome"], registry=r)
        self.reindex_failures = Counter(
            "vraagbaak_reindex_failures", "Failed re-index runs.", ["trigger"], registry=r)
        self.reindex_failed_files = Counter(
            "vraagbaak_reindex_failed_files", "Files that could not be indexed.", registry=r)

    def observe_answer(self, entry_point: str, *, abstained: bool = False, cached: bool = False,
                       total_s: float | None = None, first_token_s: float | None = None) -> None:
        """One answered question; `entry_point` is mention, dm, slash, cli, template, …"""
        outcome = "cached" if cached else "abstained" if abstained else "answered"
        self.questions.labels(entry_point, outcome).inc()
        if total_s is not None:
            self.answer_seconds.labels(entry_point).observe(total_s)
        if first_token_s is not None and not (cached or abstained):
            self.first_token_seconds.labels(entry_point).observe(first_token_s)

    def observe_failed_question(self, entry_point: str) -> None:
        self.questions.labels(entry_point, "failed").inc()

    def observe_reindex(self, trigger: str, *, seconds: float, failed: bool,
                        failed_files: int = 0) -> None:
        """One finished re-index run; `trigger` is cli, slack, schedule, …"""
        self.reindex_seconds.labels(trigger).observe(seconds)
        self.reindex_runs.labels(trigger, "failed" if failed else "ok").inc()
        if failed:
            self.reindex_failures.labels(trigger).inc()
        if failed_files:
            self.reindex_failed_files.inc(failed_files)

    def observe_reindex_report(self, report: Any) -> None:
        """Observer for the Reindexer: one finished run (a `bot.indexing.reindexer.RunReport`)."""
        failed_files = sum(len(r.skipped) for r in report.reports.values())
        trigger = (report.trigger or "unknown").split(":")[0]  # "slack:U123" -> "slack": no user ids as labels
        self.observe_reindex(trigger, seconds=report.duration_s,
                             failed=not report.ok, failed_files=failed_files)

    def track_queue(self, queue_length: Callable[[], int]) -> None:
        """The queue gauge reads the generator's queue at every scrape."""
        self.queue_length.set_function(lambda: float(queue_length()))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, port: int, *, host: str = "0.0.0.0", health: HealthCheck | None = None) -> "MetricsServer":
        """Serves /metrics and /health on a background thread; port 0 picks a free port."""
        return MetricsServer(self, host, port, health)


class MetricsServer:
    """A tiny HTTP server: GET /metrics (Prometheus text) and GET /health (JSON, 200 or 503)."""

    def __init__(self, metrics_: Metrics, host: str, port: int, health: HealthCheck | None) -> None:
        handler = _handler_for(metrics_, health)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-http", daemon=True)
        self._thread.start()
        log.info("metrics and health check on http://%s:%d/metrics and /health", host, self.port)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(metrics_: Metrics, health: HealthCheck | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE_PLAIN_0_0_4, metrics_.exposition())
            elif path in HEALTH_PATHS:
                ok, details = _run_health(health)
                body = json.dumps({"status": "ok" if ok else "unhealthy", **details}).encode()
                self._send(200 if ok else 503, "application/json", body)
            else:
                self._send(404, "text/plain", b"not found\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # scrapes every 15 s: keep them out of INFO
            log.debug("metrics http: " + format, *args)

    return Handler


def _run_health(health: HealthCheck | None) -> tuple[bool, dict[str, Any]]:
    if health is None:
        return True, {}
    try:
        return health()
    except Exception as exc:
        log.warning("health check failed: %s", exc, exc_info=True)
        return False, {"error": type(exc).__name__}


def start_metrics_server(metrics: Metrics, port: int, *, generator: "Generator",
                         host: str = "0.0.0.0") -> MetricsServer | None:
    """For `vraagbaak serve`: watch the model queue, serve `metrics` on `port`.

    Returns None when `port` is 0 (off).
    """
    if port <= 0:
        return None
    metrics.track_queue(generator.queue_length)

    def health() -> tuple[bool, dict[str, Any]]:
        return True, {"model": getattr(generator, "model_name", "?"), "queue_length": generator.queue_length()}

    return metrics.serve(port, host=host, health=health)
