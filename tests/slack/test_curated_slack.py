"""Curated answers and the gaps digest in Slack, over the fake Slack: the
"Maak vast antwoord" shortcut → modal → stored → served marked without the model; a suspension → a
DM to the owner; the weekly digest → a DM to the admins listing a declined question."""

from __future__ import annotations

import json
import re
import zlib
from datetime import datetime, timezone

import numpy as np
import pytest

from bot.answering.engine import AnswerEngine
from bot.answering.prompts import NOT_FOUND
from bot.curation.answers import CuratedAnswers
from bot.curation.store import CuratedStore
from bot.curation.types import dutch_date
from bot.slack.features.curated_answers import ACTION_REACTIVATE, ANSWER_BLOCK, MODAL_CALLBACK, QUESTION_BLOCK, VALUE
from bot.slack.listeners.shortcuts.make_curated_answer import NOT_AN_ANSWER, SHORTCUT
from bot.slack.ui.safe_text import ZWSP
from bot.storage.database import Storage
from tests.fakes.slack import payloads
from tests.slack.conftest import ADMIN, CHANNEL, USER, RunningBot
from tests.slack.fakes import FixedRetriever
from tests.slack.test_answer_flow import ask_in_channel, final_message

HR_LEAD = "U0HRLEAD"  # owns the collection "bedrijf"
CURATED = "Bij een volledige werkweek heb je 25 vakantiedagen per jaar, vastgesteld door HR [1]."
VACATION_DOC = "hr/vakantie-en-verlof.md"


class WordEmbedder:
    """Questions as normalised bags of words: close wordings are close, as the real model has them."""

    name = "woorden-test"
    dimension = 512

    def embed_query(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            vector[zlib.crc32(word.encode()) % self.dimension] += 1.0
        return vector / (np.linalg.norm(vector) or 1.0)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.fixture
def documents() -> dict[str, dict[str, str]]:
    """What the index holds: collection → {doc id: content hash} (a re-index changes it)."""
    return {"bedrijf": {VACATION_DOC: "v1", "hr/ziekmelding-en-verzuim.md": "v1"}}


@pytest.fixture
def curated(tmp_path, documents) -> CuratedAnswers:
    return CuratedAnswers(CuratedStore(Storage().database(tmp_path / "curated.sqlite3")), WordEmbedder(),
                          documents=lambda c: documents[c], min_similarity=0.5)


@pytest.fixture
def bot(scripted_bot_with, scripted_generator, curated, slack) -> RunningBot:
    slack.workspace.add_user(HR_LEAD, "hrlead")
    engine = AnswerEngine(FixedRetriever(), scripted_generator, min_relevance=0.0, cache_size=0, max_tokens=64,
                          curated=curated)
    return scripted_bot_with(engine=engine, curated=curated, embedder=WordEmbedder(),
                             settings={"collection_owners": {"bedrijf": [HR_LEAD]}})


def shortcut_on(bot: RunningBot, message: dict, *, user: str) -> str:
    url = bot.slack.new_response_url()
    bot.slack.wait_for_ack(bot.slack.push_interactive(payloads.message_shortcut(
        SHORTCUT, user=user, channel=CHANNEL, message=message, response_url=url)))
    return url


def test_an_owner_makes_a_curated_answer_that_is_served_marked_without_the_model(bot, scripted_generator, curated):
    slack = bot.slack
    question = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik per jaar?")
    answer = final_message(bot, CHANNEL, question["ts"])
    shortcut_on(bot, answer, user=HR_LEAD)
    view = slack.wait_for_call("views.open").params["view"]
    assert view["callback_id"] == MODAL_CALLBACK
    fields = {b["block_id"]: b["element"]["initial_value"] for b in view["blocks"] if b["type"] == "input"}
    assert fields[QUESTION_BLOCK] == "Hoeveel vakantiedagen heb ik per jaar?"
    assert "25 vakantiedagen" in fields[ANSWER_BLOCK]

    edited = {QUESTION_BLOCK: {VALUE: {"type": "plain_text_input", "value": fields[QUESTION_BLOCK]}},
              ANSWER_BLOCK: {VALUE: {"type": "plain_text_input", "value": CURATED}}}
    ack = slack.wait_for_ack(slack.push_interactive(payloads.view_submission(view, edited, user=HR_LEAD)))
    assert ack.payload["response_action"] == "update" and "Opgeslagen" in str(ack.payload["view"])
    [stored] = curated.list()
    assert stored.answer == CURATED and stored.owner == HR_LEAD and stored.decided_by == "Hrlead"
    assert [s.path for s in stored.sources][:1] == [VACATION_DOC] and stored.collection == "bedrijf"
    assert stored.source_fingerprints[f"bedrijf:{VACATION_DOC}"] == "v1"

    later = ask_in_channel(bot, "Hoeveel vakantiedagen krijg ik?", user=USER)
    served = final_message(bot, CHANNEL, later["ts"])
    assert len(scripted_generator.requests) == 1, "served without the model"
    shown = str(served)
    assert "vastgesteld door HR" in shown
    today = dutch_date(datetime.now(timezone.utc).isoformat())
    assert f"*Vast antwoord*, vastgesteld door Hrlead op {today}" in shown
    assert "Vakantie en verlof" in shown, "with its sources"


def test_others_may_not_and_only_answers_of_vraagbaak_can_become_one(bot, curated):
    slack = bot.slack
    question = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik per jaar?")
    answer = final_message(bot, CHANNEL, question["ts"])
    refused = slack.wait_for_response(shortcut_on(bot, answer, user=USER))
    assert "Alleen beheerders van Vraagbaak en de eigenaren van *bedrijf*" in refused.body["text"]
    human = {"type": "message", "user": USER, "ts": question["ts"], "text": question["text"]}
    assert slack.wait_for_response(shortcut_on(bot, human, user=ADMIN)).body["text"] == NOT_AN_ANSWER
    assert not slack.calls_to("views.open") and curated.list() == []
    shortcut_on(bot, answer, user=ADMIN)  # an admin may, whatever the collection
    slack.wait_for_call("views.open")


def test_a_suspended_curated_answer_brings_its_owner_a_dm_and_can_be_put_back(bot, curated, documents):
    from bot.answering.types import Source

    slack = bot.slack
    source = Source("Vakantie en verlof", VACATION_DOC, heading="Vakantiedagen", collection="bedrijf")
    made = curated.add(question="Hoeveel vakantiedagen heb ik per jaar?", answer=CURATED, sources=[source],
                       owner=HR_LEAD, decided_by="Hrlead")
    documents["bedrijf"][VACATION_DOC] = "v2"  # a re-index changed the document
    assert [a.id for a in curated.review()] == [made.id]  # what the Reindexer's observer runs after a run

    dm = slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == HR_LEAD)
    text = str(dm.params["blocks"])
    assert "gepauzeerd" in text and "Hoeveel vakantiedagen heb ik per jaar?" in text
    assert "Vakantie en verlof" in text, "the reason names the changed source"
    assert not curated.get(made.id).active
    curated.review()  # told once
    assert len(slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == HR_LEAD)) == 1

    button = next(e for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == ACTION_REACTIVATE)
    url = slack.new_response_url()
    slack.wait_for_ack(slack.push_interactive(payloads.block_actions(
        {"action_id": ACTION_REACTIVATE, "value": button["value"]}, user=HR_LEAD, channel="D" + HR_LEAD[1:],
        response_url=url, message={"ts": dm.response["ts"], "blocks": dm.params["blocks"]})))
    assert "weer in gebruik" in slack.wait_for_response(url).body["text"]
    assert curated.get(made.id).active and curated.get(made.id).source_fingerprints[f"bedrijf:{VACATION_DOC}"] == "v2"


def test_the_weekly_gaps_digest_lists_a_declined_question_to_the_admins(bot, scripted_generator):
    scripted_generator.reply = lambda messages: NOT_FOUND["nl"]
    for text in ("Mag mijn hond mee naar kantoor?", "<!channel> waar staat de parkeerregeling?"):
        question = ask_in_channel(bot, text)
        final_message(bot, CHANNEL, question["ts"])
    bot.services.gaps.send_digest()  # what the scheduler's gaps-digest job runs

    dm = bot.slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == ADMIN)
    text = json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert "Wat de documenten missen" in text
    assert "Mag mijn hond mee naar kantoor?" in text and "1× gevraagd" in text and "niet gevonden" in text
    assert "<!channel>" not in text and "@channel" not in text and f"@{ZWSP}channel" in text
    assert USER not in text, "never who asked"


def test_an_answer_whose_owner_was_forgotten_is_suspended_without_a_dm_to_anyone(bot, curated, documents):
    from bot.answering.types import Source
    from bot.storage.stores import Person

    source = Source("Vakantie en verlof", VACATION_DOC, heading="Vakantiedagen", collection="bedrijf")
    ownerless = curated.add(question="Hoeveel vakantiedagen heb ik per jaar?", answer=CURATED, sources=[source],
                            owner=HR_LEAD, decided_by="Hrlead")
    assert curated.store.forget(Person(HR_LEAD, (HR_LEAD,))) == 1
    documents["bedrijf"][VACATION_DOC] = "v2"
    assert [a.id for a in curated.review()] == [ownerless.id]
    assert not curated.get(ownerless.id).active and curated.store.untold() == [], "nobody to tell: marked told"
    assert [c.params["channel"] for c in bot.slack.calls_to("chat.postMessage")] == []
