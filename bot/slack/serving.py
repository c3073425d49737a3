"""Running the app: Socket Mode (an outgoing WebSocket, no public URL needed) or HTTP mode
(Slack posts to `/slack/events`; every request's signature and timestamp are checked by Bolt).
HTTP mode also answers `GET /health` for load balancers and container health checks.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"
MAX_BODY_BYTES = 1_000_000


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Connects through apps.connections.open on the app's own client (so SLACK_API_URL applies)."""
    return SocketModeHandler(app, app_token=app_token, web_client=app.client)


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
