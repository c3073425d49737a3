"""HTTP mode: Slack's signed requests are verified; forged or replayed ones are refused."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.insights.feedback import FeedbackStore
from bot.storage.database import Storage
from tests.fakes.slack import FakeSlack, SignedSender, payloads
from bot.services import Services
from tests.slack.conftest import CHANNEL, SIGNING_SECRET, USER, bot_settings, running_bot
from tests.generators import ScriptedGenerator
from tests.slack.fakes import scripted_engine


@pytest.fixture
def http_bot(tmp_path: Path, slack: FakeSlack, scripted_generator: ScriptedGenerator) -> Iterator[tuple]:
    settings = bot_settings(tmp_path, slack, slack_app_token="")
    services = Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                            feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services, mode="http") as (bot, server):
        sender = SignedSender(f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET)
        yield bot, server, sender


def mention_body(slack: FakeSlack, text: str = "Hoeveel vakantiedagen heb ik?", event_id: str | None = None) -> dict:
    event = slack.user_posts(text, user=USER, channel=CHANNEL)
    return payloads.event_callback(event, event_id=event_id)


def test_signed_event_is_answered(http_bot, scripted_generator):
    bot, _, sender = http_bot
    body = mention_body(bot.slack)
    reply = sender.post_event(body)
    assert reply.status == 200
    bot.slack.wait_for_call("chat.stopStream", lambda c: bool(c.params.get("blocks")))
    assert len(scripted_generator.requests) == 1


def test_bad_signature_is_rejected(http_bot, scripted_generator):
    bot, _, sender = http_bot
    reply = sender.post_event(mention_body(bot.slack), bad_signature=True)
    assert reply.status == 401
    assert not scripted_generator.requests
    assert not bot.slack.calls_to("reactions.add")


def test_old_timestamp_is_rejected_even_with_a_valid_signature(http_bot, scripted_generator):
    bot, _, sender = http_bot
    reply = sender.post_event(mention_body(bot.slack), age_s=6 * 60)  # Slack's window is 5 minutes
    assert reply.status == 401
    assert not scripted_generator.requests


def test_retry_with_x_slack_retry_num_is_answered_once(http_bot, scripted_generator):
    bot, _, sender = http_bot
    body = mention_body(bot.slack, event_id="Ev0HTTPRETRY")
    assert sender.post_event(body).status == 200
    assert sender.post_event(body, retry_num=1).status == 200
    bot.slack.wait_for_call("chat.stopStream", lambda c: bool(c.params.get("blocks")))
    other = mention_body(bot.slack, "Nog iets?")
    sender.post_event(other)
    bot.slack.wait_for_call("chat.stopStream", lambda c: bool(c.params.get("blocks")), count=2)
    assert len(scripted_generator.requests) == 2


def test_slash_command_over_http_is_acknowledged_in_the_response(http_bot):
    bot, _, sender = http_bot
    fields = payloads.slash_command("/vraag", "Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL,
                                    response_url=bot.slack.new_response_url())
    reply = sender.post_form(fields)
    assert reply.status == 200 and "Even denken" in reply.json()["text"]
    bot.slack.wait_for_response(fields["response_url"], lambda r: "blocks" in r.body)


def test_url_verification_and_health(http_bot):
    _, server, sender = http_bot
    reply = sender.post_event({"token": "x", "challenge": "abc123", "type": "url_verification"})
    assert reply.status == 200 and reply.json() == {"challenge": "abc123"}
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/health", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
