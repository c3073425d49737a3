"""Collections and channels: a document of a collection a channel may not see is never retrieved,
quoted or cited there. Retrieval level with the real index; end to end through the real Bolt app
over real sockets to the fake Slack, with real retrieval and a model that quotes its whole prompt
(so anything that reached the prompt would reach Slack)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.answering.generation import GenerationRequest
from bot.services import Services
from knowledge.retrieval import Retriever
from tests.fakes.slack import FakeSlack
from tests.generators import ScriptedGenerator
from tests.scheduling.conftest import USER, services_for
from tests.slack.conftest import bot_settings, running_bot

HR_ONLY = "C0HRONLY"
OPEN = "C0OPEN"
DM = "D0ALICE"
PRINTER_QUESTION = "Hoe heet de printer op de tweede verdieping?"
# Everything that would show the IT collection's documents: their facts, ids and titles.
IT_MARKERS = ("Kopieerkanon", "Tunnelbaas", "printen.md", "vpn.md", "Printen", "VPN-client")

pytestmark = pytest.mark.slow


@pytest.fixture
def indexed(tmp_path: Path, embedder, two_collections):
    services = services_for(tmp_path, embedder, two_collections)
    report = services.reindexer.run()
    assert report.ok and services.store.stats()["collections"].keys() == {"hr", "it"}
    return services


def test_retrieval_never_returns_a_collection_it_was_not_asked_for(indexed):
    retriever = Retriever(indexed.embedder, indexed.store)
    for mode in ("hybrid", "vector", "fts"):
        everywhere = retriever.search(PRINTER_QUESTION, k=5, mode=mode)
        assert everywhere and everywhere[0].chunk.doc_id == "printen.md", mode  # the control
        hr_only = retriever.search(PRINTER_QUESTION, k=5, mode=mode, collections=["hr"])
        assert {h.chunk.collection for h in hr_only} <= {"hr"}, mode
        assert all("Kopieerkanon" not in h.chunk.text for h in hr_only), mode
        exact = retriever.search("Kopieerkanon", k=5, mode=mode, collections=["hr"])
        assert all(h.chunk.collection == "hr" for h in exact), mode
        assert retriever.search(PRINTER_QUESTION, k=5, mode=mode, collections=[]) == [], mode


def test_settings_map_channels_and_dms_to_collections(tmp_path):
    from bot.access.policy import Access
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, channel_collections={HR_ONLY: ["hr"]}, dm_collections=["hr"])
    access = Access.from_settings(settings)
    assert access.collections_for(HR_ONLY, is_dm=False) == ["hr"]
    assert access.collections_for(OPEN, is_dm=False) is None
    assert access.collections_for(DM, is_dm=True) == ["hr"]


def quote_the_prompt(request: GenerationRequest) -> str:
    """A model that repeats everything it was given, so a leaked passage cannot stay hidden."""
    return "Dit staat in mijn bronnen [1] [2] [3]:\n" + "\n".join(m["content"] for m in request.messages)


def everything_sent(slack: FakeSlack) -> str:
    """Every API call, response_url post and acknowledgement the bot made, as one text."""
    recorded = ([{"method": c.method, "params": c.params} for c in slack.calls]
                + [r.body for r in slack.responses] + [a.payload for a in slack.acks])
    return json.dumps(recorded, ensure_ascii=False)


def finished_answers(slack: FakeSlack) -> int:
    """Answers finished so far: messages and response_url posts that carry the feedback buttons."""
    from bot.slack.ui.blocks import FEEDBACK_BLOCK_ID

    def done(blocks: object) -> bool:
        return isinstance(blocks, list) and any(b.get("block_id") == FEEDBACK_BLOCK_ID for b in blocks)
    with slack._changed:
        calls = [c for c in slack.calls if done(c.params.get("blocks"))]
        posts = [r for r in slack.responses if done(r.body.get("blocks"))]
    return len(calls) + len(posts)


def wait_for_answers(slack: FakeSlack, count: int) -> None:
    slack.wait_until(lambda: finished_answers(slack) >= count, 90, f"{count} finished answers")


def test_a_restricted_channel_never_sees_another_collection_end_to_end(tmp_path, indexed, slack):
    settings = bot_settings(tmp_path, slack, sources=indexed.settings.documents.sources,
                            channel_collections={HR_ONLY: ["hr"]}, dm_collections=["hr"],
                            min_relevance=0.0, answer_cache_size=0, reindex_cron="", consistency_cron="")
    generator = ScriptedGenerator(quote_the_prompt, piece_delay_s=0.0, piece_chars=4000)
    retriever = Retriever(indexed.embedder, indexed.store)
    engine = AnswerEngine.from_parts(settings, retriever=retriever, generator=generator, embedder=indexed.embedder)
    services = Services(settings, engine=engine, generator=generator, retriever=retriever,
                            store=indexed.store, embedder=indexed.embedder)
    try:
        with running_bot(slack, services) as bot:
            # an @mention in the restricted channel, a DM (only hr configured), /vraag in the channel
            slack.push_event(slack.user_posts(PRINTER_QUESTION, user=USER, channel=HR_ONLY))
            wait_for_answers(slack, 1)
            slack.push_event(slack.user_posts(PRINTER_QUESTION, user=USER, channel=DM))
            wait_for_answers(slack, 2)
            slack.push_command("/vraag", PRINTER_QUESTION, user=USER, channel=HR_ONLY)
            wait_for_answers(slack, 3)
            bot.parts.replier.wait_until_idle(30)
            sent = everything_sent(slack)
            assert "verlof.md" in sent or "ziek.md" in sent, "the answers should have used the hr collection"
            for marker in IT_MARKERS:
                assert marker not in sent, f"{marker!r} of collection 'it' reached a channel that may not see it"
            for request in generator.requests:  # whatever reached the model (it may abstain before)
                prompt = json.dumps(request.messages, ensure_ascii=False)
                assert not any(marker in prompt for marker in IT_MARKERS)

            # The control: the same question in an open channel does show the it collection.
            slack.push_event(slack.user_posts(PRINTER_QUESTION, user=USER, channel=OPEN))
            wait_for_answers(slack, 4)
            bot.parts.replier.wait_until_idle(30)
            assert "printen.md" in everything_sent(slack)
    finally:
        generator.close()


# --- templates: the grounded brainstorm searches only what the conversation may see ------------------

BOTH = "C0HRIT"


def submit_form(slack: FakeSlack, view: dict, values: dict) -> None:
    """Submits the modal as Slack does: state.values holds each input's element type and value."""
    from tests.fakes.slack import payloads

    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    state = {name: {"value": {"type": kinds[name], "value": value}} for name, value in values.items()}
    slack.wait_for_ack(slack.push_interactive(payloads.view_submission(view, state, user=USER)))


@pytest.fixture
def template_bot(tmp_path, indexed, slack):
    from bot.templates.filling import TemplateFiller
    from tests.templates.builders import ScriptedModel

    settings = bot_settings(tmp_path, slack, sources=indexed.settings.documents.sources,
                            channel_collections={HR_ONLY: ["hr"], BOTH: ["hr", "it"]}, dm_collections=["hr"],
                            min_relevance=0.0, answer_cache_size=0, reindex_cron="", consistency_cron="")
    model = ScriptedModel()
    retriever = Retriever(indexed.embedder, indexed.store)
    engine = AnswerEngine.from_parts(settings, retriever=retriever, generator=model, embedder=indexed.embedder)
    filler = TemplateFiller(model, retrieve=lambda query, collections=None: engine.retrieve(
        query, collections=collections))
    services = Services(settings, engine=engine, generator=model, retriever=retriever, store=indexed.store,
                            embedder=indexed.embedder, template_filler=filler)
    with running_bot(slack, services) as bot:
        yield bot, model


def brainstorm_in(slack: FakeSlack, channel: str) -> dict:
    from bot.slack.listeners.commands.brainstorm import BRAINSTORM_COMMAND

    before = len(slack.calls_to("views.open"))
    slack.wait_for_ack(slack.push_command(BRAINSTORM_COMMAND, "de printer", user=USER, channel=channel)[0])
    view = slack.wait_for_call("views.open", count=before + 1).params["view"]
    submit_form(slack, view, {"onderwerp": "de printer Kopieerkanon op de tweede verdieping",
                              "doel": "weten hoe de printer heet", "aantal": "1"})
    done = len(slack.calls_to("chat.update", lambda c: bool(c.params.get("blocks"))))
    return slack.wait_for_call("chat.update", lambda c: bool(c.params.get("blocks")), count=done + 1, timeout=60)


def test_a_template_in_a_restricted_channel_uses_only_its_collections(template_bot, slack):
    bot, model = template_bot
    brainstorm_in(slack, HR_ONLY)
    sent = everything_sent(slack)
    assert "vakantiedagen" in json.dumps(model.requests[-1].messages) or "verlof.md" in sent
    for marker in ("printen.md", "vpn.md", "Tunnelbaas"):
        assert marker not in sent and marker not in json.dumps(model.requests[-1].messages, ensure_ascii=False)

    brainstorm_in(slack, BOTH)  # the control: where it is allowed, the printer document is used
    assert "printen.md" in everything_sent(slack)


def test_a_template_result_moved_to_the_dm_uses_the_dms_collections(template_bot, slack):
    bot, model = template_bot
    slack.workspace.not_in_channel.add(BOTH)  # the result cannot be posted there: it goes to the DM
    result = brainstorm_in(slack, BOTH)
    assert result.params["channel"].startswith("D")
    prompt = json.dumps(model.requests[-1].messages, ensure_ascii=False)
    assert "printen.md" not in json.dumps(result.params, ensure_ascii=False) and "Kopieerkanon op de" in prompt
    assert "De printer op de tweede verdieping heet Kopieerkanon" not in prompt
