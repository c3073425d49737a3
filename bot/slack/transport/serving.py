"""Running the app: Socket Mode (an outgoing WebSocket, no public URL needed) or HTTP mode
(Slack posts to `/slack/events`; every request's signature and timestamp are checked by Bolt).
HTTP mode also answers `GET /health` for load balancers and container health checks.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.curation.notices import SuspensionWatch
from bot.errors import VraagbaakError
from bot.operations.metrics import start_metrics_server
from bot.settings import Settings
from bot.slack.transport.app import api_url, build_app
from bot.slack.transport.arrivals import ArrivalOrder

if TYPE_CHECKING:
    from bot.operations.selftest import SelftestResult
    from bot.services import Services

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 60.0  # answers being written when asked to stop may finish within this time
REINDEX_GRACE_S = 15.0  # then a re-index in progress; within systemd's TimeoutStopSec=90s
REPORT_GRACE_S = 5.0  # then a re-index asked for in Slack reports its result


class SlackSetupError(VraagbaakError):
    """Slack cannot be served with these settings (a missing token, a refused one, no connection)."""


def resolve_mode(settings: Settings, mode: str | None = None) -> str:
    """`socket` or `http`; `auto` means Socket Mode when an app-level token is set."""
    chosen = mode or settings.slack.mode
    if chosen == "auto":
        return "socket" if settings.slack.app_token else "http"
    return chosen


def check_credentials(settings: Settings, mode: str) -> None:
    """Fails fast, in Dutch, when a token this mode needs is missing."""
    if not settings.slack.bot_token:
        raise SlackSetupError("SLACK_BOT_TOKEN ontbreekt. Zet het bot-token (xoxb-…) in de omgeving "
                              "of als slack_bot_token in vraagbaak.toml; zie deploy/SLACK.md.")
    if mode == "socket" and not settings.slack.app_token:
        raise SlackSetupError("Socket Mode heeft SLACK_APP_TOKEN nodig (een app-token, xapp-…, met de "
                              "scope connections:write). Of start met --mode http.")
    if mode == "http" and not settings.slack.signing_secret:
        raise SlackSetupError("HTTP-modus heeft SLACK_SIGNING_SECRET nodig (Basic Information → App "
                              "Credentials), zodat verzoeken van Slack gecontroleerd kunnen worden.")


def connect_app(settings: Settings) -> App:
    """The Bolt app, after Slack accepted the bot token (auth.test)."""
    try:
        return build_app(settings)
    except (BoltError, SlackApiError) as exc:
        log.debug("auth.test failed", exc_info=True)
        raise SlackSetupError(f"Slack weigert het bot-token ({_slack_error(exc)}). Controleer SLACK_BOT_TOKEN; "
                              "zie deploy/SLACK.md.") from exc
    except (SlackClientError, OSError) as exc:
        log.debug("auth.test failed", exc_info=True)
        raise SlackSetupError(f"Kan Slack niet bereiken op {api_url(settings)}: {exc}") from exc


def _slack_error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is not None:
        return str(response.get("error", exc))
    text = str(exc)
    return "invalid_auth" if "invalid_auth" in text else text


def load_models(services: "Services") -> None:
    """Loads the embedding model, the language model and the index before Slack is connected, so
    the first question does not wait for them and a missing model stops the start-up."""
    started = time.perf_counter()
    engine = services.engine  # builds the embedder, the store, the retriever and the generator
    services.purge_expired()  # every personal-data store opened, and what is past its retention goes
    engine.warm_up()  # the fixed instructions go into the KV cache before the first question
    try:  # the index's vocabulary and vectors, read before the first question
        services.store.warm()
    except Exception:  # a damaged or unreachable index: the questions say so (and `doctor` why)
        log.warning("could not read the index ahead of the questions", exc_info=True)
    log.info("models loaded in %.1f s (model %s)", time.perf_counter() - started,
             getattr(services.generator, "model_name", "?"))


def serve(services: "Services", *, mode: str | None = None, port: int | None = None,
          stop: threading.Event | None = None, scheduler: bool = True,
          ready: threading.Event | None = None,
          selftest: Callable[[], "SelftestResult"] | None = None,
          shutdown_grace_s: float = SHUTDOWN_GRACE_S) -> None:
    """`vraagbaak serve`: checks, loads the models, connects, then runs until `stop` is set (or
    SIGINT/SIGTERM, which the caller turns into `stop`). Stopping, it receives nothing more;
    answers and template jobs being written get `shutdown_grace_s` to finish, then a template's
    placeholder says that Vraagbaak was restarted.

    `selftest` (the CLI passes bot.operations.selftest.run_selftest) makes one tiny generation first, in a
    child process: a llama.cpp build that crashes on this CPU stops the start-up with advice
    (BackendCrashError) instead of killing the bot on the first question.
    """
    settings = services.settings
    mode = resolve_mode(settings, mode)
    check_credentials(settings, mode)
    if selftest is not None:
        result = selftest()
        result.raise_for_failure()
        log.info("model self-test: %s", result.detail)
    load_models(services)
    metrics_server = start_metrics_server(services.metrics, settings.operations.metrics_port,
                                          generator=services.generator)  # None when the port is 0
    app = connect_app(settings)
    parts = services.slack(app)
    stop = stop or threading.Event()
    background = _start_background(services, enabled=scheduler)
    background.append(services.index_warmer.start().stop)  # the index's next versions, read ahead too
    stop_receiving = _start_runner(app, settings, mode, port, parts.arrivals)
    if parts.questions is not None:
        background.append(parts.questions.start())  # questions left by a replica that died
    if parts.curated is not None:  # owners hear of suspensions by `vraagbaak index` and other processes too
        background.append(SuspensionWatch(parts.curated).start().stop)
    log.info("Vraagbaak is connected to Slack (%s mode)", mode)
    if ready is not None:
        ready.set()
    try:
        stop.wait()
    finally:
        log.info("stopping: no new questions; finishing answers and templates being written")
        stop_receiving()
        deadline = time.monotonic() + shutdown_grace_s
        if not parts.replier.wait_until_idle(shutdown_grace_s):
            log.warning("stopped while answers were still being written")
        parts.template_jobs.close(deadline - time.monotonic())
        app.listener_runner.listener_executor.shutdown(wait=False)
        for close in background:
            close()
        services.reindexer.close(REINDEX_GRACE_S)  # a run in progress finishes, or stops uncommitted
        parts.reindex_jobs.close(REPORT_GRACE_S)  # and the one asked for in Slack says how it went
        if metrics_server is not None:
            metrics_server.close()


def _start_runner(app: App, settings: Settings, mode: str, port: int | None,
                  arrivals: ArrivalOrder | None = None) -> Callable[[], None]:
    """Starts receiving from Slack; returns how to stop it."""
    if mode == "socket":
        handler = socket_mode_handler(app, settings.slack.app_token, arrivals=arrivals)
        try:
            handler.connect()
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise SlackSetupError(f"Socket Mode-verbinding mislukt ({_slack_error(exc)}). Controleer "
                                  "SLACK_APP_TOKEN en of Socket Mode aan staat in de app.") from exc
        return lambda: close_quietly(handler)
    server = SlackHttpServer(app, port=settings.slack.http_port if port is None else port).start()
    return server.shutdown


def _start_background(services: "Services", *, enabled: bool) -> list[Callable[[], None]]:
    """The schedule (re-index, privacy purge, gaps digest) and the admins' DM on failed runs."""
    services.tell_admins_about_failed_runs()  # an admin's runs too
    schedule = services.scheduler
    if not enabled or not schedule.jobs:
        return []
    schedule.start()
    return [lambda: schedule.shutdown(wait=False)]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"
MAX_BODY_BYTES = 1_000_000


def socket_mode_handler(app: App, app_token: str, *, arrivals: ArrivalOrder | None = None,
                        ping_interval: float = 5) -> SocketModeHandler:
    """Connects through apps.connections.open on the app's own client (so SLACK_API_URL applies).
    With `arrivals`, questions keep the order in which their envelopes came off the WebSocket.

    `ping_interval`: the SDK notices a connection that broke without a closing handshake when no
    pong came for four intervals, and reconnects: about five intervals after the break (measured
    with tests/slack/test_reconnect.py: 1 s → ~5 s, Bolt's default 10 s → ~50 s). 5 s is the SDK's
    own default; Slack holds and redelivers what it could not deliver meanwhile."""
    if arrivals is None:
        return SocketModeHandler(app, app_token=app_token, web_client=app.client, ping_interval=ping_interval)
    return OrderedSocketModeHandler(app, app_token=app_token, web_client=app.client, arrivals=arrivals,
                                    ping_interval=ping_interval)


class OrderedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode adapter, each envelope ticketed (bot.slack.transport.arrivals) as its frame is read
    off the WebSocket: one thread reads them, in Slack's order, and the SDK's message workers that
    dispatch them in parallel cannot swap two questions any more."""

    def __init__(self, app: App, *, arrivals: ArrivalOrder, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.arrivals = arrivals
        self._tickets: dict[str, int] = {}
        self._dispatched_first: set[str] = set()
        self._lock = threading.Lock()
        self.client.on_message_listeners.append(self._received)

    def _received(self, raw: str) -> None:
        """Runs in the reading thread, just after the SDK queued the frame for its workers."""
        try:
            envelope_id = json.loads(raw).get("envelope_id") if raw.startswith("{") else None
        except ValueError:
            return
        if not envelope_id:
            return
        with self._lock:
            if envelope_id in self._dispatched_first:  # a worker was quicker and took the ticket,
                self._dispatched_first.discard(envelope_id)  # still before any later envelope's
                return
            self._tickets[envelope_id] = self.arrivals.take()

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        with self._lock:
            ticket = self._tickets.pop(req.envelope_id, None)
            if ticket is None:
                ticket = self.arrivals.take()
                self._dispatched_first.add(req.envelope_id)
        with self.arrivals.dispatching(ticket):
            self._dispatch(client, req)

    def _dispatch(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        """Bolt's dispatch and acknowledgement; every envelope is acknowledged, also one Bolt has
        no listener for, cannot parse or fails on (Bolt then answers 404, 400 or 500 and sends
        nothing, and Slack would deliver an event again and again)."""
        started = time.time()
        try:
            response = run_bolt_app(self.app, req)
        except Exception:
            log.exception("envelope %s (%s) could not be handled", req.envelope_id, req.type)
            response = None
        if response is not None and response.status == 200:
            send_response(client, req, response, started)
            return
        log.info("envelope %s (%s) acknowledged without a listener's answer (status %s)", req.envelope_id,
                 req.type, response.status if response is not None else "error")
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


def close_quietly(handler: SocketModeHandler) -> None:
    """Disconnects; slack_sdk's close can trip over its own half-closed socket, which at shutdown
    is not worth a traceback."""
    try:
        handler.close()
    except Exception:
        log.debug("closing the Socket Mode connection", exc_info=True)


class SlackHttpServer:
    """A threaded HTTP server in front of `app.dispatch`; `port=0` picks a free port."""

    def __init__(self, app: App, *, port: int, host: str = "0.0.0.0") -> None:
        handler = type("SlackRequestHandler", (_SlackRequestHandler,), {"app": app})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def serve_forever(self) -> None:
        log.info("HTTP mode: listening on port %d (%s)", self.port, EVENTS_PATH)
        self.httpd.serve_forever(poll_interval=0.25)

    def start(self) -> "SlackHttpServer":
        """Serves in a background thread (tests, or next to other work)."""
        self._thread = threading.Thread(target=self.serve_forever, name="slack-http", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)


class _SlackRequestHandler(BaseHTTPRequestHandler):
    app: App
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if urlsplit(self.path).path == HEALTH_PATH:
            self._reply(200, json.dumps({"status": "ok"}), "application/json")
        else:
            self._reply(404, "niet gevonden", "text/plain; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != EVENTS_PATH:
            self._reply(404, "niet gevonden", "text/plain; charset=utf-8")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._reply(413, "te groot", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length).decode("utf-8")
        headers: dict[str, list[str]] = {}
        for key, value in self.headers.items():
            headers.setdefault(key.lower(), []).append(value)
        response = self.app.dispatch(BoltRequest(body=body, query=url.query, headers=headers))
        content_type = (response.headers.get("content-type") or ["text/plain; charset=utf-8"])[0]
        self._reply(response.status, response.body or "", content_type)

    def _reply(self, status: int, body: str, content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("http: " + format, *args)
