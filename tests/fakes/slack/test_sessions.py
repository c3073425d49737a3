"""The fake Slack's agent sessions answer as Slack documents them (agents.sessions.setStatus and
.rename, the stop button, agent_session_stopped), through the real slack_sdk clients."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakes.slack import FakeSlack
from tests.fakes.slack.sessions import MAX_SESSION_TITLE, MISSING_STOP_SUBSCRIPTION, STOP_EVENT

CHANNEL, THREAD, USER = "C1", "1790000000.000100", "U1"
OTHER_THREAD = "1790000000.000200"
SUBSCRIBED = {"features": {"agent_view": {}},
              "settings": {"event_subscriptions": {"bot_events": ["app_mention", "message.im", STOP_EVENT]}}}
NOT_SUBSCRIBED = {"features": {"agent_view": {}},
                  "settings": {"event_subscriptions": {"bot_events": ["app_mention", "message.im"]}}}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.workspace.install(SUBSCRIBED)
        fake.workspace.add_user(USER, "alice")
        for channel in (CHANNEL, "D1"):  # the threads' root messages
            fake.workspace.store_message(channel, {"type": "message", "user": USER, "text": "Vraag",
                                                   "ts": THREAD})
        fake.workspace.store_message(CHANNEL, {"type": "message", "user": USER, "text": "Andere vraag",
                                               "ts": OTHER_THREAD})
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)


def failure(call: Any, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as error:
        call(**kwargs)
    return error.value.response["error"]


def test_set_status_creates_the_session_with_its_title_and_records_every_status(slack, client):
    first = client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                                             title="Vakantiedagen per jaar", initiator_user_id=USER)
    assert (first["status"], first["agent_status"], first["title"]) == ("processing", "processing",
                                                                        "Vakantiedagen per jaar")
    assert "warning" not in first.data
    later = client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="active",
                                             title="Een andere titel")
    assert later["title"] == "Vakantiedagen per jaar", "a title counts only when the session is created"
    for status in ("suspended", "processing", "closed"):
        client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status=status)
    session = slack.workspace.session(CHANNEL, THREAD)
    assert session is not None and session.initiator == USER
    assert session.history() == ["processing", "active", "suspended", "processing", "closed"]
    times = [at for at, _, _ in session.statuses]
    assert times == sorted(times) and {method for _, _, method in session.statuses} == {"agents.sessions.setStatus"}
    assert client.agents_sessions_rename(channel_id=CHANNEL, thread_ts=THREAD, title="Verlof")["title"] == "Verlof"
    assert session.title == "Verlof" and session.renames == ["Verlof"]


def test_set_status_and_rename_refuse_what_slack_refuses(slack, client):
    set_status, rename = client.agents_sessions_setStatus, client.agents_sessions_rename
    assert failure(set_status, channel_id=CHANNEL, thread_ts=THREAD, status="thinking") == "invalid_arguments"
    assert failure(set_status, channel_id=CHANNEL, thread_ts=THREAD, status="") == "invalid_arguments"
    assert failure(set_status, channel_id="", thread_ts=THREAD, status="active") == "invalid_arguments"
    assert failure(set_status, channel_id=CHANNEL, status="active") == "invalid_arguments"
    assert failure(set_status, channel_id=CHANNEL, thread_ts="gisteren", status="active") == "invalid_thread_ts"
    assert failure(set_status, channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                   title="x" * (MAX_SESSION_TITLE + 1)) == "invalid_arguments"
    assert failure(rename, channel_id=CHANNEL, thread_ts=THREAD, title="Nog geen sessie") == "session_not_found"
    client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                                     title="x" * MAX_SESSION_TITLE)
    assert failure(rename, channel_id=CHANNEL, thread_ts=THREAD, title="") == "invalid_arguments"
    assert failure(rename, channel_id=CHANNEL, thread_ts=THREAD, title="y" * 201) == "invalid_arguments"
    slack.workspace.not_in_channel.add("C2")
    assert failure(set_status, channel_id="C2", thread_ts=THREAD, status="active") == "not_in_channel"
    assert slack.workspace.session(CHANNEL, THREAD).history() == ["processing"], "refused calls change nothing"


def test_without_the_stop_subscription_set_status_warns_and_no_stop_button_is_shown(slack, client):
    slack.workspace.install(NOT_SUBSCRIBED)
    reply = client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="processing")
    assert reply["ok"] and reply["warning"] == MISSING_STOP_SUBSCRIPTION
    assert reply["response_metadata"]["warnings"] == [MISSING_STOP_SUBSCRIPTION]
    assert not slack.workspace.stop_button_shown(CHANNEL, THREAD), "a loading indicator that cannot be clicked"
    with pytest.raises(AssertionError, match="no stop button"):
        slack.click_stop(CHANNEL, THREAD, user=USER)
    slack.workspace.install(SUBSCRIBED)
    assert slack.workspace.stop_button_shown(CHANNEL, THREAD)
    client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="active")
    assert not slack.workspace.stop_button_shown(CHANNEL, THREAD), "only while processing"


def connected_app(slack: FakeSlack) -> tuple[SocketModeClient, list[SocketModeRequest]]:
    """A real SocketModeClient that acknowledges and records every envelope."""
    received: list[SocketModeRequest] = []
    app = SocketModeClient(app_token=slack.workspace.app_token,
                           web_client=WebClient(token=slack.workspace.bot_token, base_url=slack.api_url))

    def listener(sm_client: SocketModeClient, request: SocketModeRequest) -> None:
        sm_client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        received.append(request)
    app.socket_mode_request_listeners.append(listener)
    app.connect()
    slack.wait_for_connection()
    return app, received


def test_the_stop_button_stops_the_streams_and_sends_the_documented_event(slack, client):
    app, received = connected_app(slack)
    try:
        client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                                         title="Vakantiedagen")
        stream = client.chat_startStream(channel=CHANNEL, thread_ts=THREAD, recipient_user_id=USER,
                                         recipient_team_id=slack.workspace.team_id, markdown_text="Je hebt ")
        other = client.chat_startStream(channel=CHANNEL, thread_ts=OTHER_THREAD, recipient_user_id=USER,
                                        recipient_team_id=slack.workspace.team_id, markdown_text="Elders")
        event = slack.click_stop(CHANNEL, THREAD, user=USER)
        slack.wait_until(lambda: received or None, 10, "the event at the app")
        sent = received[0].payload
        assert sent["type"] == "event_callback" and sent["team_id"] == slack.workspace.team_id
        assert sent["event"] == event
        assert set(event) == {"type", "channel", "thread_ts", "user", "streaming_message_ts", "event_ts"}
        assert (event["type"], event["channel"], event["thread_ts"], event["user"]) == (STOP_EVENT, CHANNEL,
                                                                                        THREAD, USER)
        assert event["streaming_message_ts"] == [stream["ts"]], "only this thread's streams"
        assert failure(client.chat_appendStream, channel=CHANNEL, ts=stream["ts"],
                       markdown_text="25 dagen") == "message_not_in_streaming_state"
        assert client.chat_appendStream(channel=CHANNEL, ts=other["ts"], markdown_text=" nog")["ok"]
        assert slack.workspace.session(CHANNEL, THREAD).status == "processing", "Slack leaves it to the app"
        assert [s.thread_ts for s in slack.workspace.left_processing_after_stop()] == [THREAD]

        client.chat_stopStream(channel=CHANNEL, ts=stream["ts"], session_status="active",
                               markdown_text="\n\nGestopt op je verzoek.")
        session = slack.workspace.session(CHANNEL, THREAD)
        assert session.history() == ["processing", "active"] and session.statuses[-1][2] == "chat.stopStream"
        assert slack.workspace.left_processing_after_stop() == []
        message = slack.workspace.find_message(CHANNEL, stream["ts"])
        assert message["text"] == "Je hebt \n\nGestopt op je verzoek." and not message["streaming"]
        assert [r["at"] >= message["stopped_at"] for r in message["stream"]] == [False, True]
        assert failure(client.chat_stopStream, channel=CHANNEL, ts=other["ts"], session_status="done") \
            == "invalid_arguments"
        with pytest.raises(AssertionError, match="no stop button"):
            slack.click_stop(CHANNEL, THREAD, user=USER)
    finally:
        closer = threading.Thread(target=app.close, daemon=True)  # the SDK's close takes ~3 s
        closer.start()
        closer.join(10)


def test_a_click_without_a_stream_still_tells_the_app_to_stop(slack, client):
    app, received = connected_app(slack)
    try:
        client.agents_sessions_setStatus(channel_id="D1", thread_ts=THREAD, status="processing")
        event = slack.click_stop("D1", THREAD, user=USER)
        slack.wait_until(lambda: received or None, 10, "the event at the app")
        assert event["streaming_message_ts"] == [] and received[0].payload["event"]["type"] == STOP_EVENT
    finally:
        closer = threading.Thread(target=app.close, daemon=True)
        closer.start()
        closer.join(10)


def test_a_session_is_scoped_to_a_thread_root_in_a_channel_and_started_by_a_member(slack, client):
    reply = slack.user_posts("Hoeveel vakantiedagen?", user=USER, channel=CHANNEL, thread_ts=THREAD)
    set_status = client.agents_sessions_setStatus
    assert failure(set_status, channel_id=CHANNEL, thread_ts=reply["ts"], status="processing") \
        == "invalid_thread_ts", "a reply is not the thread's root"
    assert failure(set_status, channel_id=CHANNEL, thread_ts="1790000000.999999", status="processing") \
        == "thread_not_found"
    assert failure(set_status, channel_id="D1", thread_ts=OTHER_THREAD, status="processing") \
        == "thread_not_found", "a root of another conversation"
    slack.workspace.channel_members[CHANNEL] = ["U2"]
    assert failure(set_status, channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                   initiator_user_id=USER) == "user_not_in_channel"
    assert slack.workspace.session(CHANNEL, THREAD) is None
    slack.workspace.channel_members[CHANNEL] = [USER, "U2"]
    client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                                     initiator_user_id=USER, title="Vakantiedagen")
    slack.workspace.channel_members[CHANNEL] = ["U2"]
    assert client.agents_sessions_setStatus(channel_id=CHANNEL, thread_ts=THREAD, status="processing",
                                            initiator_user_id=USER)["ok"], "the initiator counts only at creation"
    with pytest.raises(AssertionError, match="not a member"):
        slack.workspace.stop_clicked(CHANNEL, THREAD, "U3")
    assert slack.workspace.stop_clicked(CHANNEL, THREAD, "U2")["user"] == "U2", "any member sees the button"
