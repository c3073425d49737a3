"""End to end with everything real: Bolt and slack_sdk over sockets to the fake Slack, the answer
engine with the small GGUF model, the packaged embedding model and LanceDB. Generations are kept
short (max_tokens) so the whole module runs in well under a minute on a laptop CPU."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.answering.engine import AnswerEngine
from bot.insights.feedback import FeedbackStore
from bot.slack.ui.blocks import ACTION_FEEDBACK, ACTION_SHARE
from bot.slack.features.admins import NOT_ADMIN
from bot.storage.database import Storage
from knowledge.retrieval import Retriever
from tests.conftest import SAMPLE
from tests.fakes.slack import FakeSlack, payloads
from bot.services import Services
from tests.slack.conftest import ADMIN, CHANNEL, DM, USER, RunningBot, bot_settings, running_bot
from tests.generators import RecordingGenerator
from tests.slack.fakes import question_of
from tests.slack.test_answer_flow import ask_in_channel, button_ids, final_message, shown_text, sources_text

pytestmark = pytest.mark.slow

SHORT = {"max_tokens": 12, "context_budget_tokens": 300}


@pytest.fixture
def real_bot(tmp_path: Path, slack: FakeSlack, generator, embedder, sample_index) -> Iterator[RunningBot]:
    settings = bot_settings(tmp_path, slack, admin_user_ids=[ADMIN], **SHORT)
    recorder = RecordingGenerator(generator)
    engine = AnswerEngine.from_parts(settings, retriever=Retriever(embedder, sample_index), generator=recorder,
                                     embedder=embedder)
    services = Services(settings, engine=engine, generator=recorder, embedder=embedder, store=sample_index,
                            feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services) as bot:
        yield bot


def sample_paths() -> set[str]:
    return {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()}


def test_mention_streams_a_sourced_answer_once_despite_a_retry_and_a_rate_limit(real_bot):
    slack = real_bot.slack
    slack.fail("chat.stopStream", status=429, retry_after=1)
    event = slack.user_posts("Hoeveel vakantiedagen heb ik per jaar?", user=USER, channel=CHANNEL)
    first = slack.push_event(event, event_id="Ev0REAL0001")
    slack.wait_for_ack(first)
    slack.wait_for_ack(slack.push_event(event, event_id="Ev0REAL0001", retry_attempt=1, retry_reason="timeout"))
    answer = final_message(real_bot, CHANNEL, event["ts"], timeout=120)

    assert slack.calls_to("chat.startStream")[0].params["thread_ts"] == event["ts"]
    assert slack.calls_to("chat.stopStream")
    assert [c.status for c in slack.calls_to("chat.stopStream")][:2] == [429, 200], "rate limit waited out"
    assert shown_text(answer).strip()
    cited = sources_text(answer)
    assert any(path in cited for path in sample_paths()), cited
    assert button_ids(answer) == [ACTION_FEEDBACK]
    assert len(slack.calls_to("chat.startStream")) == 1, "the retried event was not answered again"


def test_direct_message_then_the_same_question_privately_and_shared(real_bot):
    slack = real_bot.slack
    question = "Hoe meld ik me ziek?"
    event = slack.user_posts(question, user=USER, channel=DM)
    slack.push_event(event)
    dm_answer = final_message(real_bot, DM, event["ts"], timeout=120)  # in the thread the message starts
    assert str(dm_answer.get("text") or "").strip()  # streamed: the text is the message's
    assert any(b["type"] == "context_actions" for b in dm_answer["blocks"])

    envelope_id, response_url = slack.push_command("/vraag", question, user=USER, channel=CHANNEL)
    slack.wait_for_ack(envelope_id)
    private = slack.wait_for_response(response_url, lambda r: "blocks" in r.body, timeout=120)
    assert private.body["response_type"] == "ephemeral"
    share = next(e for b in private.body["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == ACTION_SHARE)
    click_url = slack.new_response_url()
    slack.push_interactive(payloads.block_actions({"action_id": ACTION_SHARE, "value": share["value"]},
                                                  user=USER, channel=CHANNEL, response_url=click_url))
    public = slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == CHANNEL)
    assert public.params["blocks"][1] == private.body["blocks"][1]  # the same answer, now public
    slack.wait_for_response(click_url, lambda r: r.body.get("delete_original") is True)


def test_five_simultaneous_questions_are_all_answered_in_order(real_bot):
    questions = ["Hoeveel vakantiedagen heb ik?", "Hoe meld ik me ziek?", "Hoe werkt de VPN?",
                 "Mag ik thuiswerken?", "Wat is het reiskostenbeleid?"]
    events = [ask_in_channel(real_bot, q) for q in questions]
    answers = [final_message(real_bot, CHANNEL, e["ts"], timeout=180) for e in events]
    # A question the documents cannot answer is answered at once, without the model; the others
    # reach the model, and are answered, in the order they arrived.
    asked = [question_of(r.messages) for r in real_bot.services.generator.requests]
    to_model = [q for q in questions if f"Vraag: {q}" in asked]
    assert asked == [f"Vraag: {q}" for q in to_model] and len(to_model) >= 3, asked
    model_answers = [a["ts"] for q, a in zip(questions, answers) if q in to_model]
    stops = [c.params["ts"] for c in real_bot.slack.calls_to("chat.stopStream")]
    assert [ts for ts in stops if ts in model_answers] == model_answers
    # the place in the queue is told in each waiting answer's stream (its writing task, pending)
    notices = [e["chunk"]["details"] for m in real_bot.workspace.streamed_messages(CHANNEL) for e in m["stream"]
               if e["chunk"]["type"] == "task_update" and "in de rij" in (e["chunk"].get("details") or "")]
    assert len(notices) >= len(to_model) - 2, "later questions were told their place in the queue"
    rows = list(real_bot.services.feedback.rows(include_unvoted=True))
    assert sorted(r["question"] for r in rows) == sorted(questions)


class GatedEmbedder:
    """The real embedder; `embed_documents` (re-indexing) waits for `gate`, queries never do."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self.gate, self.entered = threading.Event(), threading.Event()
        self.gate.set()

    def embed_documents(self, texts, progress=None) -> np.ndarray:
        self.entered.set()
        assert self.gate.wait(60)
        return self.embedder.embed_documents(texts, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)

    def count_tokens(self, text: str) -> int:
        return self.embedder.count_tokens(text)


def test_admin_reindex_while_questions_keep_being_answered(tmp_path, slack, generator, embedder):
    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    shutil.copy(SAMPLE / "hr" / "vakantie-en-verlof.md", docs / "hr")
    settings = bot_settings(tmp_path, slack, admin_user_ids=[ADMIN], sources={"bedrijf": docs}, **SHORT)
    gated = GatedEmbedder(embedder)
    services = Services(settings, embedder=gated, generator=generator)
    services.reindexer.run()  # the index as it was this morning
    with running_bot(slack, services) as bot:
        envelope_id, refused_url = slack.push_command("/vraagbaak", "reindex", user=USER, channel=CHANNEL)
        assert slack.wait_for_response(refused_url).body["text"] == NOT_ADMIN

        shutil.copy(SAMPLE / "hr" / "thuiswerken.md", docs / "hr")
        gated.gate.clear()
        gated.entered.clear()
        _, response_url = slack.push_command("/vraagbaak", "reindex", user=ADMIN, channel=CHANNEL)
        assert "gestart" in slack.wait_for_response(response_url).body["text"]
        assert gated.entered.wait(30), "the re-index is running (held while embedding)"

        event = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?")
        answer = final_message(bot, CHANNEL, event["ts"], timeout=120)
        assert any("vakantie-en-verlof.md" in e["text"] for b in answer["blocks"] if b["type"] == "context"
                   for e in b["elements"])
        assert services.reindexer.is_running(), "answered while the re-index was still running"

        gated.gate.set()
        result = slack.wait_for_response(response_url, lambda r: "klaar" in r.body.get("text", ""), timeout=60)
        assert "toegevoegd: 1" in result.body["text"] and "`hr/thuiswerken.md`" in result.body["text"]
        assert services.store.stats()["documents"] == 2
