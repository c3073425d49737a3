"""The fake Slack answers like Slack (checked with the real slack_sdk clients)."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakes.slack import FakeSlack, payloads
from tests.fakes.slack.signing import signature


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack):
    return WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)


def test_messages_threads_and_limits(slack, client):
    root = client.chat_postMessage(channel="C1", text="vraag")
    assert root["ok"] and root["message"]["bot_id"] == slack.workspace.bot_id
    client.chat_postMessage(channel="C1", text="antwoord", thread_ts=root["ts"])
    replies = client.conversations_replies(channel="C1", ts=root["ts"])["messages"]
    assert [m["text"] for m in replies] == ["vraag", "antwoord"]
    too_many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C1", text="x", blocks=too_many)
    assert error.value.response["error"] == "invalid_blocks"
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError):
        client.chat_update(channel="C1", ts=root["ts"], text="x", blocks=long_section)
    with pytest.raises(SlackApiError) as error:
        client.chat_update(channel="C1", ts="1.000000", text="x")
    assert error.value.response["error"] == "message_not_found"
    recorded = slack.calls_to("chat.postMessage")[0]
    assert recorded.token == slack.workspace.bot_token and recorded.params["channel"] == "C1"


def test_streaming_as_slack_sdk_chat_stream_uses_it(slack, client):
    stream = client.chat_stream(channel="D1", thread_ts="1.000001", buffer_size=4)
    stream.append(markdown_text="Hallo ")
    stream.append(markdown_text="wereld")
    stream.stop(blocks=[{"type": "divider"}])
    assert [c.method for c in slack.calls] == ["chat.startStream", "chat.appendStream", "chat.stopStream"]
    message = slack.workspace.messages["D1"][0]
    assert message["text"] == "Hallo wereld" and not message["streaming"]
    with pytest.raises(SlackApiError) as error:
        client.chat_appendStream(channel="D1", ts=message["ts"], markdown_text="te laat")
    assert error.value.response["error"] == "message_not_in_streaming_state"
    with pytest.raises(SlackApiError):  # channels need the recipient
        client.chat_startStream(channel="C1", thread_ts="1.000001", markdown_text="x")


def test_rate_limit_once_then_ok_with_retry_after(slack):
    slack.fail("users.info", retry_after=1)
    plain = WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    with pytest.raises(SlackApiError) as error:
        plain.users_info(user="UBOT")
    assert error.value.response.status_code == 429 and error.value.response.headers["Retry-After"] == "1"
    assert plain.users_info(user="UBOT")["user"]["is_bot"] is True


def test_tokens_users_and_unknown_methods(slack, client):
    slack.workspace.add_user("U1", "els", is_admin=True)
    assert client.users_info(user="U1")["user"]["is_admin"] is True
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="U404")
    assert error.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as error:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert error.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as error:
        client.api_call("nope.nothing")
    assert error.value.response["error"] == "unknown_method"
    view = client.views_open(trigger_id="t", view={"type": "modal", "title": {"type": "plain_text", "text": "x"},
                                                   "blocks": []})["view"]
    assert client.views_update(view_id=view["id"], view={"type": "modal", "blocks": []})["view"]["id"] == view["id"]


def test_socket_mode_envelopes_and_acks(slack, client):
    received = []
    socket = SocketModeClient(app_token=slack.workspace.app_token, web_client=client)

    def listener(sm_client, request):
        received.append(request)
        sm_client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id,
                                                               payload={"text": "ok"}))
    socket.socket_mode_request_listeners.append(listener)
    socket.connect()
    try:
        slack.wait_for_connection()
        envelope_id = slack.push_event(payloads.app_mention("<@UBOT> hoi", user="U1", channel="C1"),
                                       retry_attempt=2, retry_reason="timeout")
        ack = slack.wait_for_ack(envelope_id)
        assert ack.payload == {"text": "ok"}
        assert received[0].type == "events_api" and received[0].retry_attempt == 2
        assert received[0].payload["event"]["type"] == "app_mention"
        envelope_id, response_url = slack.push_command("/vraag", "hoi", user="U1", channel="C1")
        slack.wait_for_ack(envelope_id)
        assert received[1].payload["response_url"] == response_url
    finally:
        closer = threading.Thread(target=socket.close, daemon=True)  # the SDK's close takes ~3 s
        closer.start()
        _closing.append(closer)


_closing: list[threading.Thread] = []


@pytest.fixture(scope="module", autouse=True)
def _clients_closed():
    yield
    for closer in _closing:
        closer.join(10)


def test_signing_matches_slack_sdk_verifier():
    body = b'{"type":"event_callback"}'
    now = str(int(time.time()))
    verifier = SignatureVerifier("geheim")
    assert verifier.is_valid(body, now, signature("geheim", now, body))
    assert not verifier.is_valid(body, now, signature("anders", now, body))


def test_views_publish_needs_a_known_user_a_home_view_within_100_blocks_and_the_current_hash(slack, client):
    slack.workspace.add_user("U1")
    home = {"type": "home", "blocks": [{"type": "divider"}] * 100}
    first = client.views_publish(user_id="U1", view=home)["view"]
    assert slack.workspace.home_views["U1"]["id"] == first["id"]
    again = client.views_publish(user_id="U1", view=home, hash=first["hash"])["view"]
    assert again["id"] == first["id"] and again["hash"] != first["hash"]
    for kwargs, error in ((dict(user_id="U404", view=home), "user_not_found"),
                          (dict(user_id="U1", view={**home, "type": "modal"}), "invalid_arguments"),
                          (dict(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 101}),
                           "invalid_blocks"),
                          (dict(user_id="U1", view=home, hash=first["hash"]), "hash_conflict")):
        with pytest.raises(SlackApiError) as failed:
            client.views_publish(**kwargs)
        assert failed.value.response["error"] == error


def test_suggested_prompts_follow_the_apps_messaging_experience(slack, client):
    prompts = [{"title": "Verlof", "message": "Hoe vraag ik verlof aan?"}]
    client.assistant_threads_setSuggestedPrompts(channel_id="D1", prompts=prompts, title="Bijvoorbeeld:")
    assert slack.workspace.suggested_prompts[("D1", None)]["prompts"] == prompts  # agent view: pinned to the tab
    assert client.assistant_threads_setSuggestedPrompts(channel_id="D1", thread_ts="1.2", prompts=prompts)["ok"]
    assert ("D1", "1.2") not in slack.workspace.suggested_prompts, "agent view: a thread_ts call silently fails"
    slack.workspace.messaging = "assistant"
    with pytest.raises(SlackApiError):
        client.assistant_threads_setSuggestedPrompts(channel_id="D1", prompts=prompts)
    client.assistant_threads_setSuggestedPrompts(channel_id="D1", thread_ts="1.2", prompts=prompts)
    assert ("D1", "1.2") in slack.workspace.suggested_prompts
    with pytest.raises(SlackApiError):
        client.assistant_threads_setStatus(channel_id="D1", thread_ts="", status="denkt na…")
    assert client.assistant_threads_setStatus(channel_id="D1", thread_ts="1.2", status="")["ok"]
