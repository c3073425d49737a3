"""The fake Slack redelivers unacknowledged envelopes as Slack does, records ack latencies, and can
break the WebSocket under a real slack_sdk SocketModeClient, which then reconnects."""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakes.slack import FakeSlack, payloads
from tests.fakes.slack.test_fakeslack import _clients_closed, _closing  # noqa: F401 (the clients closed at the end)


def connected_client(slack: FakeSlack, *, ack: Callable[[SocketModeRequest], bool]
                     ) -> tuple[SocketModeClient, list[SocketModeRequest]]:
    """A real SocketModeClient that records every request and acknowledges those `ack` picks."""
    received: list[SocketModeRequest] = []
    client = SocketModeClient(app_token=slack.workspace.app_token, ping_interval=1,
                              web_client=WebClient(token=slack.workspace.bot_token, base_url=slack.api_url))

    def listener(sm_client: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        if ack(request):
            sm_client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
    client.socket_mode_request_listeners.append(listener)
    client.connect()
    slack.wait_for_connection()
    return client, received


def close_later(client: SocketModeClient) -> None:
    closer = threading.Thread(target=client.close, daemon=True)  # the SDK's close takes ~3 s
    closer.start()
    _closing.append(closer)


def test_an_unacknowledged_event_is_delivered_again_until_acknowledged():
    with FakeSlack(ack_timeout_s=0.2, retry_delays_s=(0.0, 0.05, 0.05)) as slack:
        client, received = connected_client(slack, ack=lambda request: bool(request.retry_attempt))
        try:
            event_id = payloads.new_event_id()
            first = slack.push_event(payloads.app_mention("<@UBOT> hoi", user="U1", channel="C1"),
                                     event_id=event_id)
            slack.wait_until(lambda: any(d.acked_at for d in slack.deliveries_of(event_id)), 10, "the retry's ack")
            deliveries = slack.deliveries_of(event_id)
            assert [(d.attempt, d.acked_at is not None) for d in deliveries] == [(0, False), (1, True)]
            assert deliveries[0].envelope_id == first and deliveries[1].envelope_id != first
            retry = received[1]
            assert (retry.retry_attempt, retry.retry_reason) == (1, "timeout")
            assert retry.payload["event_id"] == event_id
            assert slack.ack_latencies()[first] is None and slack.late_deliveries() == [deliveries[0]]
            assert 0 <= slack.ack_latencies()[deliveries[1].envelope_id] < 3
        finally:
            close_later(client)


def test_retries_stop_after_three_and_commands_are_never_retried():
    with FakeSlack(ack_timeout_s=0.1, retry_delays_s=(0.0, 0.0, 0.0)) as slack:
        received: list[SocketModeRequest] = []
        client = SocketModeClient(app_token=slack.workspace.app_token,
                                  web_client=WebClient(token=slack.workspace.bot_token, base_url=slack.api_url))
        client.socket_mode_request_listeners.append(lambda _c, request: received.append(request))
        client.connect()
        try:
            slack.wait_for_connection()
            event_id = payloads.new_event_id()
            slack.push_event(payloads.app_mention("<@UBOT> hoi", user="U1", channel="C1"), event_id=event_id)
            command, _ = slack.push_command("/vraag", "hoi", user="U1", channel="C1")
            slack.wait_until(lambda: len(slack.deliveries_of(event_id)) == 4 or None, 10, "three retries")
            slack.wait_until(lambda: len(received) >= 5 or None, 10, "every delivery received")
            retries = [r.retry_attempt for r in received if r.type == "events_api"]
            assert retries == [0, 1, 2, 3]
            assert [r.envelope_id for r in received if r.type == "slash_commands"] == [command]
            assert {d.envelope_id for d in slack.late_deliveries(limit_s=0.1)} >= {command}
        finally:
            close_later(client)


def test_a_dropped_connection_is_reopened_and_what_was_not_acknowledged_comes_again():
    with FakeSlack(ack_timeout_s=0.5, retry_delays_s=(0.0, 0.0, 0.0)) as slack:
        event_id = payloads.new_event_id()
        client, received = connected_client(
            slack, ack=lambda request: request.payload.get("event_id") != event_id or bool(request.retry_attempt))
        try:
            slack.push_event(payloads.message("vraag", user="U1", channel="D1"), event_id=event_id)
            slack.wait_until(lambda: received or None, 10, "the first delivery")
            count = slack.drop_connection()
            slack.wait_for_connection(count + 1, timeout=30)
            slack.wait_until(lambda: any(d.acked_at for d in slack.deliveries_of(event_id)), 10, "the retry's ack")
            assert [r.retry_attempt for r in received] == [0, 1]
            later = slack.push_event(payloads.message("nog een", user="U1", channel="D1"))
            slack.wait_for_ack(later)
        finally:
            close_later(client)
