"""A local Slack: the Web API over HTTP and Socket Mode over WebSocket, on 127.0.0.1, in a thread.

Everything the bot sends is recorded (API calls with their parameters and headers, Socket Mode
acknowledgements, posts to response URLs) and can be waited for with a timeout, so tests wait on
events instead of sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from aiohttp import WSMsgType, web

from tests.fakeslack import payloads
from tests.fakeslack.workspace import Fault, Workspace

T = TypeVar("T")


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    token: str
    status: int
    response: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(frozen=True)
class Ack:
    """What the app sent back over the WebSocket for one envelope."""

    envelope_id: str
    payload: dict[str, Any] | None
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class ResponseUrlPost:
    """A POST to a response_url (how `respond()` answers slash commands and button clicks)."""

    url: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Start with `with FakeSlack() as slack:`; point the app at `slack.api_url`."""

    def __init__(self, *, bot_token: str = "xoxb-fake-bot-token", app_token: str = "xapp-fake-app-token",
                 bot_user_id: str = "UBOT", bot_id: str = "BBOT") -> None:
        self.workspace = Workspace(bot_token=bot_token, app_token=app_token,
                                   bot_user_id=bot_user_id, bot_id=bot_id)
        self.workspace.socket_url = self._new_socket_url
        self.calls: list[ApiCall] = []
        self.acks: list[Ack] = []
        self.responses: list[ResponseUrlPost] = []
        self.sent_envelopes: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._socket: web.WebSocketResponse | None = None
        self._socket_connections = 0
        self._response_ids = itertools.count(1)
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> "FakeSlack":
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), name="fake-slack", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("fake Slack did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    def __enter__(self) -> "FakeSlack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, started: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._websocket)
        app.router.add_post("/response/{id}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        started.set()
        self._loop.run_forever()

    async def _shutdown(self) -> None:
        if self._socket is not None and not self._socket.closed:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- addresses -----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, as slack_sdk's `base_url` (trailing slash)."""
        return f"{self.base_url}/api/"

    def new_response_url(self) -> str:
        return f"{self.base_url}/response/{next(self._response_ids)}"

    def _new_socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id={self.workspace.app_id}"

    # --- Web API ----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        params = Workspace.normalise(params)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else str(params.pop("token", ""))
        params.pop("token", None)
        reply = self.workspace.answer(method, params, token)
        self._record(self.calls, ApiCall(method, params, dict(request.headers), token, reply.status, reply.body))
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(self.responses, ResponseUrlPost(str(request.url), body))
        return web.json_response({"ok": True})

    # --- Socket Mode ------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        old, self._socket = self._socket, ws
        if old is not None and not old.closed:
            await old.close()
        await ws.send_str(json.dumps(payloads.hello(self.workspace.app_id)))
        with self._changed:
            self._socket_connections += 1
            self._changed.notify_all()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self._record(self.acks, Ack(data["envelope_id"], data.get("payload")))
        return ws

    def wait_for_connection(self, count: int = 1, timeout: float = 15.0) -> None:
        """Until the app has opened (at least) `count` Socket Mode connections."""
        self.wait_until(lambda: self._socket_connections >= count or None, timeout, "Socket Mode connection")

    def send_envelope(self, envelope: dict[str, Any]) -> str:
        """Pushes one envelope to the connected app; returns its envelope_id."""
        if self._loop is None or self._socket is None or self._socket.closed:
            raise RuntimeError("no Socket Mode connection to push to")
        text = json.dumps(envelope)
        asyncio.run_coroutine_threadsafe(self._socket.send_str(text), self._loop).result(5)
        self.sent_envelopes.append(envelope)
        return str(envelope["envelope_id"])

    def push_event(self, event: dict[str, Any], *, event_id: str | None = None,
                   retry_attempt: int | None = None, retry_reason: str = "") -> str:
        body = payloads.event_callback(event, event_id=event_id, team_id=self.workspace.team_id,
                                       authorized_user=self.workspace.bot_user_id)
        return self.send_envelope(payloads.envelope("events_api", body, retry_attempt=retry_attempt,
                                                    retry_reason=retry_reason))

    def push_command(self, command: str, text: str, *, user: str, channel: str) -> tuple[str, str]:
        """Sends a slash command; returns (envelope_id, response_url)."""
        response_url = self.new_response_url()
        payload = payloads.slash_command(command, text, user=user, channel=channel, response_url=response_url)
        return self.send_envelope(payloads.envelope("slash_commands", payload)), response_url

    def push_interactive(self, payload: dict[str, Any]) -> str:
        return self.send_envelope(payloads.envelope("interactive", payload))

    def disconnect_app(self, reason: str = "refresh_requested") -> None:
        """Asks the app to reconnect, as Slack does every few hours."""
        if self._socket is not None and self._loop is not None:
            text = json.dumps(payloads.disconnect(reason))
            asyncio.run_coroutine_threadsafe(self._socket.send_str(text), self._loop).result(5)

    # --- conversation helpers -----------------------------------------------------------------------

    def user_posts(self, text: str, *, user: str, channel: str, thread_ts: str | None = None,
                   mention: bool = True) -> dict[str, Any]:
        """A user writes a message (stored, so conversations.replies sees it); returns the event."""
        if channel.startswith("D"):
            event = payloads.message(text, user=user, channel=channel, thread_ts=thread_ts)
        elif mention:
            text = f"<@{self.workspace.bot_user_id}> {text}"
            event = payloads.app_mention(text, user=user, channel=channel, thread_ts=thread_ts)
        else:
            event = payloads.message(text, user=user, channel=channel, channel_type="channel",
                                     thread_ts=thread_ts)
        stored = {"type": "message", "user": user, "text": event["text"], "ts": event["ts"],
                  "team": self.workspace.team_id}
        if thread_ts:
            stored["thread_ts"] = thread_ts
        self.workspace.store_message(channel, stored)
        return event

    def fail(self, method: str, *, status: int = 429, error: str = "ratelimited",
             retry_after: int | None = 1, times: int = 1) -> None:
        """The next `times` calls of `method` fail (default: rate limited with Retry-After: 1)."""
        with self.workspace.lock:
            self.workspace.faults.append(Fault(method, status, error, retry_after, times))

    # --- recording and waiting ------------------------------------------------------------------------

    def _record(self, into: list, item: Any) -> None:
        with self._changed:
            into.append(item)
            self._changed.notify_all()

    def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        """Re-evaluates `check` whenever something is recorded, until it returns a truthy value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = check()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                         f"calls so far: {[c.method for c in self.calls]}")
                self._changed.wait(min(left, 0.25))

    def calls_to(self, method: str, where: Callable[[ApiCall], bool] | None = None) -> list[ApiCall]:
        with self._changed:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def wait_for_call(self, method: str, where: Callable[[ApiCall], bool] | None = None, *,
                      count: int = 1, timeout: float = 30.0) -> ApiCall:
        """Until `count` calls of `method` (matching `where`) were made; returns the last of them."""
        found = self.wait_until(lambda: (lambda c: c if len(c) >= count else None)(self.calls_to(method, where)),
                                timeout, f"{count}× {method}")
        return found[count - 1]

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        return self.wait_until(lambda: next((a for a in self.acks if a.envelope_id == envelope_id), None),
                               timeout, f"ack of envelope {envelope_id}")

    def wait_for_response(self, url: str, where: Callable[[ResponseUrlPost], bool] | None = None, *,
                          count: int = 1, timeout: float = 30.0) -> ResponseUrlPost:
        def check() -> ResponseUrlPost | None:
            posts = [r for r in self.responses if r.url == url and (where is None or where(r))]
            return posts[count - 1] if len(posts) >= count else None
        return self.wait_until(check, timeout, f"{count}× POST to {url}")
