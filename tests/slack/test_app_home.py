"""The App Home tab end to end over the fake Slack (real Bolt, real sockets, real FeedbackStore in
tmp_path): what everyone sees, what admins see besides, the re-index button, and that no text in it
can notify or link anyone."""

from __future__ import annotations

import json

import pytest

from bot.answering.types import Source
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.ui.home import ACTION_CURATED_REACTIVATE, ACTION_CURATED_REMOVE, ACTION_REINDEX, AI_NOTICE, MAX_BLOCKS
from bot.slack.listeners.actions.home_curated_answer import CURATED_NOT_ADMIN
from bot.slack.features.admins import NOT_ADMIN
from bot.storage.database import Storage
from knowledge.models import SkippedFile
from tests.fakes.slack import payloads
from tests.slack.conftest import ADMIN, DM, USER, bot_settings, running_bot
from tests.slack.fakes import scripted_engine
from tests.slack.test_commands import RecordingReindexer, Report, command
from tests.slack.test_curated_slack import WordEmbedder

# A question as stored (Slack markup already made plain text) and an answer as a model might write it.
HOSTILE_QUESTION = "Waarom zegt @channel dat @here gelijk heeft? Zie https://evil.example/x"
HOSTILE_ANSWER = "Volgens <!here> en <@U0BOSS> moet je **bellen**: <https://evil.example|hier>."


class Stats:
    """The index's counts and document hashes (the ChunkStore contract of `stats()` and
    `documents()`), without an embedding model; a test changes `hashes` as a re-index would."""

    def __init__(self) -> None:
        self.hashes = {"hr/vakantie.md": "v1", "hr/ziekmelding.md": "v1"}

    def documents(self, collection: str) -> dict[str, str]:
        return dict(self.hashes) if collection == "bedrijf" else {}

    def stats(self) -> dict:
        return {"documents": 24, "chunks": 310, "collections": {"bedrijf": {"documents": 24, "chunks": 310}}}


def open_home(bot, user: str, *, count: int = 1) -> dict:
    bot.slack.push_event(payloads.app_home_opened(user=user, channel="D" + user[1:], tab="home"))
    published(bot, user, count=count)
    return bot.workspace.home_views[user]  # as Slack keeps it (with its id)


def published(bot, user: str, *, count: int = 1, where=None) -> dict:
    call = bot.slack.wait_for_call("views.publish", lambda c: c.params["user_id"] == user and c.ok
                                   and (where is None or where(c)), count=count)
    return call.params["view"]


def texts(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def button_ids(view: dict) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


@pytest.fixture
def reindexer() -> RecordingReindexer:
    report = Report(["hr/nieuw.md"], [], [], [SkippedFile(f"hr/kapot-{i}.pdf", "geen tekst") for i in range(7)])
    reindexer = RecordingReindexer(report=report)
    reindexer.gate.set()
    return reindexer


@pytest.fixture
def home_bot(scripted_bot_with, reindexer):
    # The gaps' grouping embeds the questions: a bag-of-words embedder stands in for the model.
    return scripted_bot_with(store=Stats(), reindexer=reindexer, embedder=WordEmbedder())


def test_everyone_sees_what_vraagbaak_knows_how_to_ask_the_ai_notice_and_examples(home_bot):
    view = open_home(home_bot, USER)
    assert view["type"] == "home"
    text = texts(view)
    assert "*bedrijf*: 24 documenten" in text
    assert "Laatst bijgewerkt: 2025-01-06 10:00:00 CET" in text  # the last run, in the schedule's time zone
    assert "@Vraagbaak" in text and "`/vraag je vraag`" in text and "*Berichten*" in text
    assert AI_NOTICE in text
    assert "Hoe vraag ik verlof aan?" in text
    assert "Beheer" not in text and ACTION_REINDEX not in text, "no admin part for a colleague"
    assert home_bot.workspace.home_views[USER]["blocks"] == view["blocks"]


def test_an_admin_sees_status_failing_files_the_button_feedback_and_unanswered_questions(home_bot):
    feedback = home_bot.services.feedback
    liked = feedback.record_answer(question="Hoeveel vakantiedagen?", answer="25.", sources=[], user=USER, channel=DM)
    disliked = feedback.record_answer(question=HOSTILE_QUESTION, answer=HOSTILE_ANSWER, sources=[],
                                      user=USER, channel=DM)
    feedback.record_answer(question="Mag mijn hond mee naar kantoor?", answer="Dat kan ik niet vinden.",
                           sources=[], user=USER, channel=DM, abstained=True)
    feedback.vote(liked, user=USER, vote="up")
    feedback.vote(disliked, user=ADMIN, vote="down")

    view = open_home(home_bot, ADMIN)
    text = texts(view)
    assert "Beheer" in text and "24 documenten, 310 chunks" in text
    assert "kapot-0.pdf" in text and "kapot-6.pdf" in text, "all failing files, beyond the status' first five"
    assert button_ids(view) == [ACTION_REINDEX]
    assert "👍 1   👎 1" in text
    assert "moet je *bellen*" in text, "the latest 👎: its answer"
    assert "Waarom zegt @\u200bchannel dat @\u200bhere gelijk heeft?" in text, "…and its question"
    assert "Wat de documenten missen" in text and "Mag mijn hond mee naar kantoor?" in text
    assert "1× niet gevonden" in text and "1× 👎" in text, "the declined question and the 👎 one, as gaps"
    for raw in ("<!", "<@", "@here", "@channel", "https://evil.example", "<https"):
        assert raw not in text, f"{raw} reached the Home tab"
    assert len(view["blocks"]) <= MAX_BLOCKS
    assert USER not in text and feedback.pseudonymize(USER) not in text, "who asked stays out"


def test_the_reindex_button_runs_a_reindex_for_an_admin_and_shows_the_result(home_bot, reindexer):
    view = open_home(home_bot, ADMIN)
    home_bot.slack.push_interactive(payloads.home_block_actions(
        {"action_id": ACTION_REINDEX, "value": "all", "block_id": "vraagbaak_home_admin"}, user=ADMIN, view=view))
    started = published(home_bot, ADMIN, where=lambda c: "is gestart" in texts(c.params["view"]))
    assert ACTION_REINDEX in texts(started)
    done = published(home_bot, ADMIN, where=lambda c: "Herindexering klaar" in texts(c.params["view"]))
    assert "toegevoegd: 1" in texts(done)
    assert reindexer.calls == [(None, False, False)]


def test_the_reindex_button_is_refused_to_a_colleague(home_bot, reindexer):
    view = open_home(home_bot, USER)
    home_bot.slack.push_interactive(payloads.home_block_actions(
        {"action_id": ACTION_REINDEX, "value": "all", "block_id": "vraagbaak_home_admin"}, user=USER, view=view))
    refused = published(home_bot, USER, count=2)
    assert NOT_ADMIN in texts(refused) and ACTION_REINDEX not in texts(refused)
    assert reindexer.calls == []


def test_an_admin_who_opened_the_home_tab_sees_it_refreshed_after_any_reindex(home_bot, reindexer):
    open_home(home_bot, ADMIN)
    open_home(home_bot, USER)
    _, response_url = command(home_bot, "/vraagbaak", "reindex", user=ADMIN)
    home_bot.slack.wait_for_response(response_url, lambda r: "klaar" in r.body.get("text", ""))
    published(home_bot, ADMIN, count=2)
    assert len(home_bot.slack.calls_to("views.publish", lambda c: c.params["user_id"] == USER)) == 1


def test_an_admin_is_not_shown_an_answer_from_a_restricted_collection_they_may_not_search(
        tmp_path, slack, scripted_generator, reindexer):
    settings = bot_settings(tmp_path, slack, admin_user_ids=[ADMIN],
                            sources={"bedrijf": tmp_path / "b", "hr-vertrouwelijk": tmp_path / "h"},
                            restricted_collections=["hr-vertrouwelijk"],
                            restricted_access={"hr-vertrouwelijk": ["U0HR"]})
    services = Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)), store=Stats(),
                        reindexer=reindexer)
    feedback = services.feedback
    open_answer = feedback.record_answer(question="Waar staat de printer?", answer="Op de tweede verdieping.",
                                         sources=[Source("Printen", "printen.md", collection="bedrijf")],
                                         user=USER, channel=DM)
    hr_answer = feedback.record_answer(question="Wat verdient schaal 9?", answer="Tot 5.400 euro bruto.",
                                       sources=[Source("Salarissen", "salaris.md", collection="hr-vertrouwelijk")],
                                       user="U0HR", channel="D0HR")
    feedback.vote(open_answer, user=USER, vote="down")
    feedback.vote(hr_answer, user="U0HR", vote="down")  # the most recent 👎
    with running_bot(slack, services) as bot:
        text = texts(open_home(bot, ADMIN))
    assert "Op de tweede verdieping." in text, "the latest 👎 this admin may see"
    assert "5.400" not in text and "Wat verdient schaal 9?" not in text
    assert "afgeschermde collectie" in text
    assert "hr-vertrouwelijk" not in text.split("Beheer")[0], "nor is it listed as what they may search"


def test_an_admin_sees_this_weeks_gaps_grouped_with_their_counts(home_bot):
    feedback = home_bot.services.feedback
    for user in (USER, ADMIN):
        feedback.record_answer(question="Mag mijn hond mee naar kantoor?", answer="Dat kan ik niet vinden.",
                               sources=[], user=user, channel=DM, abstained=True)
    feedback.record_answer(question="Waar staat de parkeerregeling?", answer="Dat kan ik niet vinden.",
                           sources=[], user=USER, channel=DM, abstained=True)
    text = texts(open_home(home_bot, ADMIN))
    gaps = text.split("Wat de documenten missen")[1]
    assert "3 vragen in 2 groepen" in gaps
    assert "*2× gevraagd* door 2 personen (2× niet gevonden)" in gaps and "Mag mijn hond mee naar kantoor?" in gaps
    assert "*1× gevraagd* door 1 persoon" in gaps and "Waar staat de parkeerregeling?" in gaps
    assert "Niet beantwoord deze week" not in text


def test_an_admin_sees_the_curated_answers_suspended_first_with_the_reason(home_bot):
    curated = home_bot.services.curated
    curated.add(question="Hoeveel vakantiedagen heb ik?", answer="25 per jaar [1].", owner=ADMIN,
                sources=[Source("Vakantie en verlof", "hr/vakantie.md", collection="bedrijf")],
                decided_by="Eva de Vries")
    paused = curated.add(question="Hoe meld ik me ziek?", answer="Bel je leidinggevende [1].", owner=ADMIN,
                         sources=[Source("Ziekmelding", "hr/ziekmelding.md", collection="bedrijf")],
                         decided_by="Eva de Vries")
    home_bot.services.store.hashes["hr/ziekmelding.md"] = "v2"  # a re-index changed its source
    assert [a.id for a in curated.review()] == [paused.id]
    reason = curated.get(paused.id).suspended_reason
    assert "Ziekmelding" in reason
    view = open_home(home_bot, ADMIN)
    text = texts(view)
    assert "Vaste antwoorden" in text and "1 in gebruik, 1 gepauzeerd" in text
    part = text.split("Vaste antwoorden")[1]
    assert part.index("Hoe meld ik me ziek?") < part.index("Hoeveel vakantiedagen heb ik?"), "suspended first"
    assert reason in part, "the suspended reason, in Dutch"
    assert "vastgesteld door Eva de Vries op" in part
    assert button_ids(view).count(ACTION_CURATED_REMOVE) == 2 and button_ids(view).count(ACTION_CURATED_REACTIVATE) == 1
    assert len(view["blocks"]) <= MAX_BLOCKS
    assert "Vaste antwoorden" not in texts(open_home(home_bot, USER)), "not for a colleague"


def test_the_remove_button_removes_a_curated_answer_for_an_admin_and_is_refused_to_a_colleague(home_bot):
    curated = home_bot.services.curated
    made = curated.add(question="Hoeveel vakantiedagen heb ik?", answer="25 per jaar [1].",
                       sources=[Source("Vakantie en verlof", "hr/vakantie.md", collection="bedrijf")],
                       owner=ADMIN, decided_by="Eva de Vries")
    view = open_home(home_bot, ADMIN)
    click = {"action_id": ACTION_CURATED_REMOVE, "value": made.id, "block_id": f"vraagbaak_home_vast_{made.id}"}

    colleague_view = open_home(home_bot, USER)
    home_bot.slack.push_interactive(payloads.home_block_actions(click, user=USER, view=colleague_view))
    refused = published(home_bot, USER, count=2)
    assert CURATED_NOT_ADMIN in texts(refused)
    assert curated.get(made.id) is not None, "a colleague cannot remove it"

    home_bot.slack.push_interactive(payloads.home_block_actions(click, user=ADMIN, view=view))
    done = published(home_bot, ADMIN, count=2)
    assert "is verwijderd" in texts(done) and "0 in gebruik, 0 gepauzeerd" in texts(done)
    assert curated.get(made.id) is None and curated.list() == []


def test_the_reactivate_button_puts_a_suspended_curated_answer_back_for_an_admin(home_bot):
    curated = home_bot.services.curated
    made = curated.add(question="Hoe meld ik me ziek?", answer="Bel je leidinggevende [1].", owner=ADMIN,
                       sources=[Source("Ziekmelding", "hr/ziekmelding.md", collection="bedrijf")], decided_by="Eva")
    home_bot.services.store.hashes["hr/ziekmelding.md"] = "v2"
    curated.review()
    view = open_home(home_bot, ADMIN)
    home_bot.slack.push_interactive(payloads.home_block_actions(
        {"action_id": ACTION_CURATED_REACTIVATE, "value": made.id, "block_id": f"vraagbaak_home_vast_{made.id}"},
        user=ADMIN, view=view))
    done = texts(published(home_bot, ADMIN, count=2))
    assert "weer in gebruik" in done and "1 in gebruik, 0 gepauzeerd" in done
    assert curated.get(made.id).active


class BrokenEmbedder(WordEmbedder):
    def embed_query(self, text: str):
        raise RuntimeError("model file unreadable")


def test_when_the_gaps_cannot_be_grouped_the_tab_lists_the_declined_questions(scripted_bot_with, reindexer):
    bot = scripted_bot_with(store=Stats(), reindexer=reindexer, embedder=BrokenEmbedder())
    for question in ("Mag mijn hond mee naar kantoor?", "Waar staat de parkeerregeling?"):
        bot.services.feedback.record_answer(question=question, answer="Dat kan ik niet vinden.", sources=[],
                                            user=USER, channel=DM, abstained=True)
    text = texts(open_home(bot, ADMIN))
    assert "Niet beantwoord deze week" in text and "2 vragen zonder antwoord uit de documenten" in text
    assert "Mag mijn hond mee naar kantoor?" in text and "Beheer" in text
