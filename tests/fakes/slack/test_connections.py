"""Several Socket Mode connections, as Slack allows one app (up to 10: one per replica): each envelope
goes to one of them, a retry of one nobody acknowledged in time to another. Checked with two real
slack_bolt apps behind real SocketModeHandlers, and raw WebSockets for the limit."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter

import aiohttp
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from tests.fakes.slack import FakeSlack, payloads
from tests.fakes.slack.connections import MAX_CONNECTIONS
from tests.fakes.slack.test_fakeslack import _clients_closed, _closing  # noqa: F401 (the clients closed at the end)


def bolt_app(slack: FakeSlack, **options) -> App:
    return App(client=WebClient(token=slack.workspace.bot_token, base_url=slack.api_url), **options)


def connected(slack: FakeSlack, app: App) -> tuple[SocketModeHandler, int]:
    """The app connected through a real SocketModeHandler; returns it and its connection's id."""
    before = slack.connections
    handler = SocketModeHandler(app, slack.workspace.app_token)
    handler.client.base_url = slack.api_url
    handler.connect()
    slack.wait_for_connection(before + 1)
    return handler, slack.open_connections[-1]


def close_later(handler: SocketModeHandler) -> None:
    def close() -> None:
        try:
            handler.close()
        except Exception:  # the SDK can trip over its own half-closed socket; not under test here
            pass
    closer = threading.Thread(target=close, daemon=True)  # the SDK's close takes ~3 s
    closer.start()
    _closing.append(closer)


def test_each_envelope_goes_to_one_of_two_apps_and_both_get_some():
    with FakeSlack(seed=7) as slack:
        seen: list[tuple[str, str]] = []
        handlers = []
        def recorder(name: str):
            return lambda body: seen.append((name, body["event_id"]))
        for name in ("a", "b"):
            app = bolt_app(slack)
            app.event("app_mention")(recorder(name))
            handlers.append(connected(slack, app))
        try:
            (_, first), (_, second) = handlers
            assert slack.open_connections == [first, second]
            events = [payloads.new_event_id() for _ in range(20)]
            sent = [slack.push_event(payloads.app_mention("<@UBOT> hoi", user="U1", channel="C1"), event_id=e)
                    for e in events]
            slack.wait_for_acks(sent)
            slack.wait_until(lambda: len(seen) >= len(events) or None, 10, "every event handled")
            assert sorted(e for _, e in seen) == sorted(events), "each event handled once, by one app"
            by_app = Counter(name for name, _ in seen)
            assert by_app["a"] > 0 and by_app["b"] > 0, by_app
            connections = {d.connection for d in slack.deliveries}
            assert connections == {first, second}
            assert all(len(slack.deliveries_of(e)) == 1 for e in events), "nothing was sent twice"
        finally:
            for handler, _ in handlers:
                close_later(handler)


def test_a_retry_goes_to_the_other_app_while_the_first_is_still_busy():
    """App a acknowledges only after its listener (process_before_response), which waits until app b
    has the same event: Slack's retry must have reached b, the other replica."""
    with FakeSlack(ack_timeout_s=0.5, retry_delays_s=(0.0, 0.0, 0.0)) as slack:
        b_has_it = threading.Event()
        handled: list[str] = []
        slow = bolt_app(slack, process_before_response=True)

        @slow.event("app_mention")
        def busy(ack, body) -> None:
            handled.append("a")
            b_has_it.wait(10)
            ack()
        quick = bolt_app(slack)

        @quick.event("app_mention")
        def answer(body) -> None:
            handled.append("b")
            b_has_it.set()
        (handler_a, a), (handler_b, b) = connected(slack, slow), connected(slack, quick)
        try:
            event_id = payloads.new_event_id()
            slack.push_event(payloads.app_mention("<@UBOT> hoi", user="U1", channel="C1"), event_id=event_id,
                             connection=a)
            slack.wait_until(lambda: all(d.acked_at for d in slack.deliveries_of(event_id)) and
                             len(slack.deliveries_of(event_id)) == 2 or None, 15, "both deliveries acknowledged")
            first, retry = slack.deliveries_of(event_id)
            assert (first.attempt, first.connection, retry.attempt, retry.connection) == (0, a, 1, b)
            assert first.ack_s is not None and first.ack_s >= 0.5, "a acknowledged late"
            assert retry.envelope["retry_reason"] == "timeout"
            assert sorted(handled) == ["a", "b"], "both replicas got it: the bot must answer it once"
        finally:
            b_has_it.set()
            close_later(handler_a)
            close_later(handler_b)


def test_a_connection_asked_to_leave_gets_nothing_new_and_with_all_leaving_the_next_one_gets_it():
    """Raw WebSockets that never reconnect by themselves, so the fake's choice is all that is seen."""
    with FakeSlack() as slack:
        async def scenario() -> tuple[list[str], list[str], list[str]]:
            async with aiohttp.ClientSession() as session:
                leaving = await session.ws_connect(slack.workspace.socket_url())
                staying = await session.ws_connect(slack.workspace.socket_url())
                await leaving.receive(), await staying.receive()  # hello
                first, second = slack.open_connections
                await asyncio.to_thread(slack.disconnect_app, connection=first)
                assert json.loads((await leaving.receive()).data)["type"] == "disconnect"
                pushed = [await asyncio.to_thread(slack.push_event, payloads.message("hoi", user="U1", channel="D1"))
                          for _ in range(6)]
                on_staying = [json.loads((await staying.receive()).data)["envelope_id"] for _ in pushed]
                await asyncio.to_thread(slack.disconnect_app, connection=second)
                assert json.loads((await staying.receive()).data)["type"] == "disconnect"
                held = await asyncio.to_thread(slack.push_event, payloads.message("hoi", user="U1", channel="D1"))
                later = await session.ws_connect(slack.workspace.socket_url())
                await later.receive()  # hello
                on_later = [json.loads((await later.receive()).data)["envelope_id"]]
                for socket in (leaving, staying, later):
                    await socket.close()
                return pushed + [held], on_staying, on_later
        pushed, on_staying, on_later = asyncio.run(scenario())
        assert on_staying == pushed[:-1] and on_later == pushed[-1:]


def test_an_app_holds_at_most_ten_connections():
    with FakeSlack() as slack:
        async def connect_all() -> tuple[list[int], int | None]:
            counts: list[int] = []
            async with aiohttp.ClientSession() as session:
                sockets = []
                for _ in range(MAX_CONNECTIONS):
                    socket = await session.ws_connect(slack.workspace.socket_url())
                    counts.append(json.loads((await socket.receive()).data)["num_connections"])
                    sockets.append(socket)
                refused = None
                try:
                    await session.ws_connect(slack.workspace.socket_url())
                except aiohttp.WSServerHandshakeError as exc:
                    refused = exc.status
                await sockets[0].close()
                slack.wait_until(lambda: len(slack.open_connections) < MAX_CONNECTIONS or None, 5, "one closed")
                again = await session.ws_connect(slack.workspace.socket_url())
                counts.append(json.loads((await again.receive()).data)["num_connections"])
                for socket in [*sockets[1:], again]:
                    await socket.close()
                return counts, refused
        counts, refused = asyncio.run(connect_all())
        assert counts == [*range(1, MAX_CONNECTIONS + 1), MAX_CONNECTIONS]
        assert refused == 429 and slack.refused_connections == 1
