"""The Socket Mode connection drops in the middle of an answer. The answer
still completes (the Web API does not need the WebSocket), the app reconnects, an envelope whose
acknowledgement was lost with the connection is delivered again and answered exactly once, and a
question asked after the reconnect is answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.storage.database import Storage
from tests.fakes.slack import FakeSlack, payloads
from tests.generators import ScriptedGenerator
from tests.slack.conftest import ADMIN, USER, bot_settings, running_bot
from tests.slack.fakes import question_of, scripted_engine
from tests.slack.load import answer_for, answer_mark, ask_all

LONG = " ".join(["woord"] * 150)


@pytest.fixture
def quick_slack() -> Iterator[FakeSlack]:
    """Slack with a short acknowledgement deadline, so that the lost ack is retried soon."""
    with FakeSlack(ack_timeout_s=0.5, retry_delays_s=(0.0, 0.0, 0.0)) as fake:
        fake.workspace.add_user(USER, "alice")
        yield fake


def test_the_connection_drops_mid_answer(tmp_path: Path, quick_slack: FakeSlack):
    slack = quick_slack
    generator = ScriptedGenerator(piece_delay_s=0.01)

    def reply(messages):  # the first answer is long: it is still being written when the link drops
        question = question_of(messages)
        text = answer_for(question)
        return f"{text} {LONG}" if "Vraag 0:" in question else text
    generator.reply = reply
    settings = bot_settings(tmp_path, slack, admin_user_ids=[ADMIN])
    services = Services(settings, engine=scripted_engine(generator), generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services):
            streaming = ask_all(slack, 1)[0]
            slack.wait_for_call("chat.startStream")
            lost = ask_all(slack, 1, first_number=1, push=False)[0]  # its ack goes down with the link
            count = slack.drop_connection(pushing=payloads.envelope(
                "events_api", payloads.event_callback(lost.extra["event"], event_id=lost.event_id,
                                                      team_id=slack.workspace.team_id)))
            assert not streaming.answers(slack), "the answer was still being written"
            slack.wait_until(lambda: streaming.answers(slack) or None, 60, "the streamed answer, finished")
            slack.wait_for_connection(count + 1, timeout=60)
            slack.wait_until(lambda: lost.answers(slack) or None, 60, "the answer to the lost envelope")
            later = ask_all(slack, 1, first_number=2)[0]
            slack.wait_until(lambda: later.answers(slack) or None, 60, "the question after the reconnect")
            deliveries = slack.deliveries_of(lost.event_id or "")
            assert len(deliveries) >= 2 and deliveries[0].acked_at is None, "the first ack was lost"
            assert [len(q.answers(slack)) for q in (streaming, lost, later)] == [1, 1, 1]
            assert answer_mark(streaming.text) in streaming.answers(slack)[0]
            assert len(generator.requests) == 3, "the redelivered envelope was not answered twice"
    finally:
        generator.close()
