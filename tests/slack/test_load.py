"""Many people at once, through the fake Slack over real sockets.

Every envelope is acknowledged while the model is busy with a long line of questions, each
question is answered exactly once (a redelivered event too), in the order Slack delivered them,
with each asker told their real place in the line; slash commands, clicks and the Home tab are
acknowledged and answered meanwhile, and the threads stay bounded when there are more questions
than threads. Latencies are measured by bench/slack_load.py, not asserted here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.answer_flow.delivery import THINKING_TEXT
from bot.storage.database import Storage
from tests.fakes.slack import FakeSlack
from tests.generators import ScriptedGenerator
from tests.slack.conftest import ADMIN, RunningBot, bot_settings, running_bot
from tests.slack.fakes import question_of, scripted_engine
from tests.slack.load import Asked, answer_for, ask_all, home_opened, redeliver, user_id, vote_click


@pytest.fixture
def held_generator() -> Iterator[ScriptedGenerator]:
    """The scripted model, answering each question with `answer_for(question)`, held: questions
    queue up until the test releases it."""
    generator = ScriptedGenerator(piece_delay_s=0.001, piece_chars=12)
    generator.reply = lambda messages: answer_for(question_of(messages))
    generator.hold()
    yield generator
    generator.release()
    generator.close()


@pytest.fixture
def start_bot(tmp_path: Path, slack: FakeSlack,
              held_generator: ScriptedGenerator) -> Iterator[Callable[..., RunningBot]]:
    with contextlib.ExitStack() as stack:
        def start(**app_options) -> RunningBot:
            settings = bot_settings(tmp_path, slack, admin_user_ids=[ADMIN])
            services = Services(settings, engine=scripted_engine(held_generator), generator=held_generator,
                                feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
            return stack.enter_context(running_bot(slack, services, **app_options))
        yield start


def side_requests(slack: FakeSlack) -> dict[str, tuple[str, str | None]]:
    """What else people do while the line is long: `/vraagbaak status`, a 👍, the Home tab."""
    status, status_url = slack.push_command("/vraagbaak", "status", user=ADMIN, channel="C0ALGEMEEN")
    vote, vote_url = vote_click(slack, user_id(1), "C0ALGEMEEN")
    return {"status": (status, status_url), "vote": (vote, vote_url), "home": (home_opened(slack, user_id(2)), None)}


def check_side_requests_done(slack: FakeSlack, side: dict[str, tuple[str, str | None]]) -> None:
    """Acknowledged, and the command and the click answered, while every answer is still waiting."""
    slack.wait_for_acks([envelope for envelope, _ in side.values()], timeout=30)
    status = slack.wait_for_response(side["status"][1], timeout=30).body["text"]
    assert "Wachtrij" in status, status
    slack.wait_for_response(side["vote"][1], timeout=30)


def wait_for_queue_notices(slack: FakeSlack, asked: list[Asked], timeout: float = 60) -> None:
    def all_shown() -> bool:
        return all(q.queue_notices(slack) for q in asked[1:])
    slack.wait_until(all_shown, timeout, "a queue notice for every question but the first")


def check_answered_once_in_order(slack: FakeSlack, generator: ScriptedGenerator, asked: list[Asked]) -> None:
    slack.wait_until(lambda: all(q.answers(slack) for q in asked) or None, 120, "every answer")
    assert [len(q.answers(slack)) for q in asked] == [1] * len(asked), "each question answered exactly once"
    model_saw = [question_of(r.messages).removeprefix("Vraag: ") for r in generator.requests]
    assert model_saw == [q.text for q in asked], "the model got them in the order Slack delivered them"


def test_fifty_people_at_once(start_bot, slack, held_generator):
    start_bot()
    threads_before = threading.active_count()
    asked = ask_all(slack, 50)
    slack.wait_for_acks([q.envelope_id for q in asked], timeout=30)
    again = [redeliver(slack, asked[3]), redeliver(slack, asked[4])]  # Slack thinks it missed two acks
    side = side_requests(slack)
    held_generator.wait_for_requests(50, timeout=60)
    wait_for_queue_notices(slack, asked)
    check_side_requests_done(slack, side)
    slack.wait_for_acks(again)
    for place, question in enumerate(asked[1:], start=2):  # the first one is next: no notice
        assert f"je bent de {place}e in de rij" in question.queue_notices(slack)[0], question.text
    assert not asked[0].queue_notices(slack)
    threads_waiting = threading.active_count() - threads_before
    assert threads_waiting <= 50 + 16, f"{threads_waiting} more threads for 50 waiting answers"

    held_generator.release()
    check_answered_once_in_order(slack, held_generator, asked)
    assert all(d.acked_at is not None for d in slack.deliveries), "every envelope acknowledged"
    assert not [d for d in slack.deliveries if d.attempt and d.envelope_id not in again], \
        "no envelope was acknowledged so late that Slack delivered it again"


def test_more_questions_than_threads(start_bot, slack, held_generator):
    """100 questions (every tenth a `/vraag`) on 4 answer threads and 2 quick ones: every envelope
    is still acknowledged while all answer threads are taken, the commands and clicks are
    answered meanwhile, the thread count stays put, and all 100 are answered once, in order."""
    earlier = set(threading.enumerate())  # threads of earlier tests may still be winding down
    bot = start_bot(quick_threads=2, answer_threads=4)
    threads_before = threading.active_count()
    asked = ask_all(slack, 100, slash_every=10)
    slack.wait_for_acks([q.envelope_id for q in asked], timeout=30)
    slash = [q for q in asked if q.kind == "slash"]
    for question in slash:  # acknowledged with "Even denken…" although no answer thread was free
        ack = next(a for a in slack.acks if a.envelope_id == question.envelope_id)
        assert ack.payload and ack.payload.get("text") == THINKING_TEXT
    side = side_requests(slack)
    check_side_requests_done(slack, side)
    held_generator.wait_for_requests(4, timeout=30)
    names = [t.name for t in threading.enumerate() if t not in earlier]  # this bot's threads
    assert sum(n.startswith("slack-answer") for n in names) == 4
    assert sum(n.startswith("slack-listener") for n in names) <= 2
    # besides them only the Socket Mode client's message workers (10) and the index's event loop
    # (LanceDB, opened by /vraagbaak status) were started
    assert threading.active_count() - threads_before <= 4 + 2 + 10 + 1, ", ".join(names)
    held_generator.release()
    check_answered_once_in_order(slack, held_generator, asked)
    assert all(d.acked_at is not None for d in slack.deliveries)
    assert bot.parts.arrivals is not None
