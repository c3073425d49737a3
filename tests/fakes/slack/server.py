"""A local Slack: the Web API over HTTP and Socket Mode over WebSocket, on 127.0.0.1, in a thread.

Everything the bot sends is recorded (API calls with their parameters and headers, Socket Mode
acknowledgements, posts to response URLs) and can be waited for with a timeout, so tests wait on
events instead of sleeping.

Socket Mode delivers as Slack does: every envelope pushed is a `Delivery` with the time it went out
and the time its acknowledgement came back. An Events API envelope not acknowledged within
`ack_timeout_s` (Slack: 3 s) is delivered again, as a new envelope with the same event, with
`retry_attempt` 1, 2, 3 and `retry_reason` "timeout", at most `len(retry_delays_s)` times (Slack: three
retries: at once, after a minute, after five minutes). Slash commands and interactivity are never
retried: Slack shows the user an error instead (`Delivery.late`). `drop_connection()` breaks a
WebSocket without a closing handshake, as a network fault does.

The app may hold several connections (up to 10, as on Slack: one per replica); each envelope goes
to one of them (connections.py says which), a retry to another one when there is one, and what
was pushed while none was open goes to the next connection that opens. `Delivery.connection`
records which connection an envelope went to.
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

from tests.fakes.slack import payloads
from tests.fakes.slack.connections import MAX_CONNECTIONS, Connections, Link
from tests.fakes.slack.workspace import Fault, Workspace

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


@dataclass
class Delivery:
    """One envelope sent over Socket Mode: when it went out and when (if) it was acknowledged."""

    envelope_id: str
    kind: str  # events_api, slash_commands, interactive
    event_id: str | None  # Events API: the same for every retry of one event
    attempt: int  # 0: the first delivery; n: the n-th retry
    envelope: dict[str, Any]
    sent_at: float | None = None  # monotonic; None while waiting for a connection
    acked_at: float | None = None
    connection: int | None = None  # the connection it was sent on (ids count from 1, in opening order)

    @property
    def ack_s(self) -> float | None:
        """Seconds from push to acknowledgement (None: not acknowledged)."""
        if self.sent_at is None or self.acked_at is None:
            return None
        return self.acked_at - self.sent_at


ACK_TIMEOUT_S = 3.0  # Slack's deadline for acknowledging an envelope
RETRY_DELAYS_S = (0.0, 60.0, 300.0)  # Events API retries after a missed deadline: at once, 1 min, 5 min


@dataclass(frozen=True)
class ResponseUrlPost:
    """A POST to a response_url (how `respond()` answers slash commands and button clicks)."""

    url: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Start with `with FakeSlack() as slack:`; point the app at `slack.api_url`."""

    def __init__(self, *, bot_token: str = "xoxb-fake-bot-token", app_token: str = "xapp-fake-app-token",
                 bot_user_id: str = "UBOT", bot_id: str = "BBOT", ack_timeout_s: float = ACK_TIMEOUT_S,
                 retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S, seed: int = 0,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.workspace = Workspace(bot_token=bot_token, app_token=app_token,
                                   bot_user_id=bot_user_id, bot_id=bot_id)
        self.workspace.socket_url = self._new_socket_url
        self.calls: list[ApiCall] = []
        self.acks: list[Ack] = []
        self.responses: list[ResponseUrlPost] = []
        self.sent_envelopes: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self.ack_timeout_s = ack_timeout_s
        self.retry_delays_s = tuple(retry_delays_s)
        self._by_envelope: dict[str, Delivery] = {}
        self._unsent: list[Delivery] = []  # pushed while no connection was open
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._links = Connections(seed=seed, limit=max_connections)
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
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(30)
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
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        started.set()
        self._loop.run_forever()

    async def _shutdown(self) -> None:
        # Bounded: an app that no longer answers the closing handshake (a test's bot already gone,
        # or a loaded machine) must not keep the fake from stopping.
        for link in self._links.open():
            try:
                await asyncio.wait_for(link.socket.close(), 5)
            except asyncio.TimeoutError:
                pass
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

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if self._links.full():  # Slack's answer to an eleventh connection is not documented
            self._links.refused += 1
            return web.Response(status=429, text="too many Socket Mode connections")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        link = self._links.add(ws, request.transport)
        await ws.send_str(json.dumps(payloads.hello(self.workspace.app_id, len(self._links.open()))))
        with self._changed:
            self._socket_connections += 1
            self._changed.notify_all()
        for delivery in self._take_unsent():  # what Slack held while the app was away
            await self._deliver(delivery, link)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    if "envelope_id" in data:
                        self._acknowledged(Ack(data["envelope_id"], data.get("payload")))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._links.remove(link)
        return ws

    def wait_for_connection(self, count: int = 1, timeout: float = 15.0) -> None:
        """Until the app has opened (at least) `count` Socket Mode connections."""
        self.wait_until(lambda: self._socket_connections >= count or None, timeout, "Socket Mode connection")

    def send_envelope(self, envelope: dict[str, Any], *, connection: int | None = None) -> str:
        """Pushes one envelope to the connected app (on the open connection `connection` names, else
        on one Slack picks); returns its envelope_id. An Events API envelope the app does not
        acknowledge in time is delivered again (see the module's docstring)."""
        if self._loop is None:
            raise RuntimeError("no Socket Mode connection to push to")

        async def push() -> str:
            link = self._links.get(connection) if connection is not None else None
            if link is None and (connection is not None or not self._links.open()):
                raise RuntimeError(f"no open Socket Mode connection {connection or ''} to push to")
            delivery = self._delivery(envelope)
            await self._deliver(delivery, link)  # held for the next connection while all are leaving
            return delivery.envelope_id
        return asyncio.run_coroutine_threadsafe(push(), self._loop).result(5)

    def _delivery(self, envelope: dict[str, Any]) -> Delivery:
        payload = envelope.get("payload") or {}
        delivery = Delivery(str(envelope["envelope_id"]), str(envelope.get("type")),
                            payload.get("event_id") if envelope.get("type") == "events_api" else None,
                            int(envelope.get("retry_attempt") or 0), envelope)
        with self._changed:
            self.deliveries.append(delivery)
            self._by_envelope[delivery.envelope_id] = delivery
        return delivery

    async def _deliver(self, delivery: Delivery, link: Link | None = None, *, avoid: int | None = None) -> None:
        """Sends on `link` (else on the connection Slack picks, one other than `avoid` when it can;
        else keeps it for the next connection) and arms the ack deadline."""
        link = link if link is not None and link.open else self._links.choose(avoid=avoid)
        if link is None:
            with self._changed:
                self._unsent.append(delivery)
            return
        with self._changed:
            delivery.sent_at = time.monotonic()
            delivery.connection = link.id
            link.envelope_ids.append(delivery.envelope_id)
            self.sent_envelopes.append(delivery.envelope)
            self._changed.notify_all()
        try:
            await link.socket.send_str(json.dumps(delivery.envelope))
        except (ConnectionError, RuntimeError):  # the connection broke under us: Slack keeps it
            with self._changed:
                delivery.sent_at = delivery.connection = None
                self._unsent.append(delivery)
            return
        assert self._loop is not None
        self._loop.call_later(self.ack_timeout_s, self._deadline_passed, delivery)

    def _take_unsent(self) -> list[Delivery]:
        with self._changed:
            unsent, self._unsent = self._unsent, []
        return unsent

    def _acknowledged(self, ack: Ack) -> None:
        """An ack counts whichever connection it comes back on (an SDK replacing its connection
        acknowledges on the new one what arrived on the old)."""
        with self._changed:
            delivery = self._by_envelope.get(ack.envelope_id)
            if delivery is not None and delivery.acked_at is None:
                delivery.acked_at = ack.at
            self.acks.append(ack)
            self._changed.notify_all()

    def _deadline_passed(self, delivery: Delivery) -> None:
        """Slack retries an unacknowledged Events API envelope; commands and clicks it does not."""
        if delivery.acked_at is not None or delivery.kind != "events_api":
            return
        if self._loop is None or delivery.attempt >= len(self.retry_delays_s):
            return
        retry = dict(delivery.envelope, envelope_id=str(uuid.uuid4()), retry_attempt=delivery.attempt + 1,
                     retry_reason="timeout")
        again, previous = self._delivery(retry), delivery.connection
        self._loop.call_later(self.retry_delays_s[delivery.attempt],
                              lambda: asyncio.ensure_future(self._deliver(again, avoid=previous)))

    # --- deliveries, for tests and benchmarks ----------------------------------------------------------

    def deliveries_of(self, event_id: str) -> list[Delivery]:
        """Every delivery of one Events API event (the first and its retries)."""
        with self._changed:
            return [d for d in self.deliveries if d.event_id == event_id]

    def ack_latencies(self) -> dict[str, float | None]:
        """Seconds from push to acknowledgement per envelope id (None: never acknowledged)."""
        with self._changed:
            return {d.envelope_id: d.ack_s for d in self.deliveries if d.sent_at is not None}

    def late_deliveries(self, limit_s: float = ACK_TIMEOUT_S) -> list[Delivery]:
        """Envelopes sent but not acknowledged within `limit_s` (retried, or an error for the user)."""
        with self._changed:
            return [d for d in self.deliveries if d.sent_at is not None
                    and (d.ack_s is None or d.ack_s > limit_s)]

    def wait_for_acks(self, envelope_ids: list[str], timeout: float = 10.0) -> None:
        """Until every one of these envelopes was acknowledged."""
        wanted = set(envelope_ids)
        self.wait_until(lambda: wanted <= {a.envelope_id for a in self.acks} or None, timeout,
                        f"acks of {len(wanted)} envelopes")

    def push_event(self, event: dict[str, Any], *, event_id: str | None = None,
                   retry_attempt: int | None = None, retry_reason: str = "", connection: int | None = None) -> str:
        body = payloads.event_callback(event, event_id=event_id, team_id=self.workspace.team_id,
                                       authorized_user=self.workspace.bot_user_id)
        return self.send_envelope(payloads.envelope("events_api", body, retry_attempt=retry_attempt,
                                                    retry_reason=retry_reason), connection=connection)

    def push_command(self, command: str, text: str, *, user: str, channel: str) -> tuple[str, str]:
        """Sends a slash command; returns (envelope_id, response_url)."""
        response_url = self.new_response_url()
        payload = payloads.slash_command(command, text, user=user, channel=channel, response_url=response_url)
        return self.send_envelope(payloads.envelope("slash_commands", payload)), response_url

    def push_interactive(self, payload: dict[str, Any]) -> str:
        return self.send_envelope(payloads.envelope("interactive", payload))

    def disconnect_app(self, reason: str = "refresh_requested", *, connection: int | None = None) -> None:
        """Asks the app to reconnect, as Slack does every few hours: on connection `connection`, or on
        every open one. A connection asked to leave gets no new envelopes while another is open."""
        if self._loop is None:
            return

        async def ask() -> None:
            for link in self._links.open():
                if connection is None or link.id == connection:
                    link.leaving = True
                    await link.socket.send_str(json.dumps(payloads.disconnect(reason)))
        asyncio.run_coroutine_threadsafe(ask(), self._loop).result(5)

    @property
    def connections(self) -> int:
        """How many Socket Mode connections the app has opened so far."""
        with self._changed:
            return self._socket_connections

    @property
    def open_connections(self) -> list[int]:
        """The ids of the connections open now, oldest first."""
        if self._loop is None:
            return []

        async def ids() -> list[int]:
            return [link.id for link in self._links.open()]
        return asyncio.run_coroutine_threadsafe(ids(), self._loop).result(5)

    @property
    def refused_connections(self) -> int:
        """Connections refused because the app already held the most Slack allows."""
        return self._links.refused

    def drop_connection(self, *, pushing: dict[str, Any] | None = None, connection: int | None = None) -> int:
        """Breaks a WebSocket (`connection`, default the newest) at once, without a closing handshake
        (a network fault, a Slack restart); returns the connection count, for
        `wait_for_connection(count + 1)`. `pushing`: an envelope sent on it in the same instant, so
        that its acknowledgement cannot arrive (Slack delivers it again, as a retry)."""
        count = self.connections
        if self._loop is None:
            raise RuntimeError("no Socket Mode connection to drop")
        delivery = self._delivery(pushing) if pushing is not None else None

        async def drop() -> None:
            link = self._links.get(connection)
            if link is None:
                raise RuntimeError(f"no open Socket Mode connection {connection or ''} to drop")
            if delivery is not None:
                await self._deliver(delivery, link)
            self._links.remove(link)
            if link.transport is not None:
                link.transport.abort()  # no close frame, no FIN handshake: the app's next read fails
        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(5)
        return count

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

    def click_stop(self, channel: str, thread_ts: str, *, user: str) -> dict[str, Any]:
        """The user clicks the stop button of the thread's agent session: Slack stops the app's
        streams there and sends `agent_session_stopped`; returns the event (sessions.py)."""
        event = self.workspace.stop_clicked(channel, thread_ts, user)
        self.push_event(event)
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
