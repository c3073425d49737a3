"""Message shortcuts: "Vraag Vraagbaak hierover" and "Vat deze thread samen",
with the channel's collections (restricted ones fail closed), over the fake Slack."""

from __future__ import annotations

import pytest

from bot.slack.ui.blocks import ACTION_SHARE
from bot.slack.features.sharing import ACTION_SHARE_IN_THREAD
from bot.slack.listeners.shortcuts.ask_about_message import ASK_SHORTCUT, NO_TEXT
from bot.slack.listeners.shortcuts.summarise_thread import NOT_READABLE, SUMMARY_SHORTCUT
from tests.fakes.slack import payloads
from tests.slack.conftest import CHANNEL, USER, RunningBot
from tests.slack.fakes import SAMPLE_CHUNKS, FixedRetriever, scripted_engine
from tests.slack.test_restricted_collections import HR, HR_CHANNEL, HR_USER, SALARIES, searched

BOB = "U0BOB"


def restricted(tmp_path) -> dict:
    return {"sources": {"bedrijf": tmp_path / "bedrijf", HR: tmp_path / "hr"}, "restricted_collections": [HR],
            "restricted_access": {HR: [HR_USER]}, "channel_collections": {HR_CHANNEL: ["bedrijf", HR]}}


@pytest.fixture
def retriever() -> FixedRetriever:
    return FixedRetriever([SALARIES, *SAMPLE_CHUNKS])


@pytest.fixture
def bot(scripted_bot_with, scripted_generator, retriever, slack, tmp_path) -> RunningBot:
    for user, name in ((BOB, "bob"), (HR_USER, "hrlead")):
        slack.workspace.add_user(user, name)
    return scripted_bot_with(engine=scripted_engine(scripted_generator, retriever), settings=restricted(tmp_path))


def posted_by(bot: RunningBot, text: str, *, user: str = BOB, channel: str = CHANNEL,
              thread_ts: str | None = None) -> dict:
    """A message someone wrote (stored in the workspace, as Slack has it)."""
    event = bot.slack.user_posts(text, user=user, channel=channel, thread_ts=thread_ts, mention=False)
    message = {"type": "message", "user": user, "text": text, "ts": event["ts"]}
    return message | ({"thread_ts": thread_ts} if thread_ts else {})


def use_shortcut(bot: RunningBot, callback_id: str, message: dict, *, user: str = USER,
                 channel: str = CHANNEL) -> str:
    """The ⋮ menu of `message` → the shortcut; returns the response URL its answers go to."""
    url = bot.slack.new_response_url()
    payload = payloads.message_shortcut(callback_id, user=user, channel=channel, message=message, response_url=url)
    bot.slack.wait_for_ack(bot.slack.push_interactive(payload))
    return url


def buttons(blocks: list[dict]) -> dict[str, str]:
    return {e["action_id"]: e.get("value", "") for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_ask_about_a_message_answers_privately_and_shares_in_its_thread(bot, retriever, scripted_generator):
    slack = bot.slack
    message = posted_by(bot, "Weet iemand hoeveel vakantiedagen we per jaar hebben?")
    url = use_shortcut(bot, ASK_SHORTCUT, message, user=HR_USER)
    private = slack.wait_for_response(url, lambda r: "blocks" in r.body)
    assert private.body["response_type"] == "ephemeral"
    assert "Weet iemand hoeveel vakantiedagen" in private.body["blocks"][0]["elements"][0]["text"]
    assert "25 vakantiedagen" in str(private.body["blocks"])
    actions = buttons(private.body["blocks"])
    assert ACTION_SHARE_IN_THREAD in actions and ACTION_SHARE not in actions
    assert "vakantiedagen" in scripted_generator.requests[0].messages[-1]["content"]
    # HR_USER may search the restricted collection in a DM with the bot, but this is a channel
    assert searched(retriever) == ["bedrijf"]
    assert not slack.calls_to("chat.postMessage"), "nothing public before the click"

    click_url = slack.new_response_url()
    click = payloads.block_actions({"action_id": ACTION_SHARE_IN_THREAD, "value": actions[ACTION_SHARE_IN_THREAD]},
                                   user=HR_USER, channel=CHANNEL, response_url=click_url)
    slack.wait_for_ack(slack.push_interactive(click))
    shared = slack.wait_for_call("chat.postMessage")
    assert shared.params["channel"] == CHANNEL and shared.params["thread_ts"] == message["ts"]
    assert f"<@{HR_USER}> deelde" in shared.params["blocks"][0]["elements"][0]["text"]
    assert slack.wait_for_response(click_url).body["delete_original"] is True
    slack.wait_until(lambda: bot.parts.threads.answered(CHANNEL, message["ts"], HR_USER), 10,
                     "the thread followed for the one who shared")


def test_ask_about_a_message_in_a_channel_that_lists_the_restricted_collection(bot, retriever):
    message = posted_by(bot, "Hoeveel verdient schaal 9?", channel=HR_CHANNEL)
    url = use_shortcut(bot, ASK_SHORTCUT, message, channel=HR_CHANNEL)
    bot.slack.wait_for_response(url, lambda r: "blocks" in r.body)
    assert searched(retriever) == ["bedrijf", HR]


def test_a_message_without_text_gets_a_dutch_explanation(bot, scripted_generator):
    picture = {"type": "message", "user": BOB, "ts": payloads.new_ts(), "text": "",
               "files": [{"id": "F0PLAATJE", "name": "foto.png"}]}
    url = use_shortcut(bot, ASK_SHORTCUT, picture)
    reply = bot.slack.wait_for_response(url)
    assert reply.body["text"] == NO_TEXT and reply.body["response_type"] == "ephemeral"
    assert not scripted_generator.requests


@pytest.fixture
def summary_bot(scripted_bot_with, slack) -> RunningBot:
    from bot.templates.filling import TemplateFiller
    from tests.templates.builders import ScriptedModel

    slack.workspace.add_user(BOB, "bob")
    model = ScriptedModel()
    try:
        yield scripted_bot_with(template_filler=TemplateFiller(model))
    finally:
        model.close()


def test_summarise_a_thread_sends_the_summary_privately(summary_bot):
    slack, bot = summary_bot.slack, summary_bot
    parent = posted_by(bot, "Zullen we de heidag naar 14 maart verzetten?", user=USER)
    posted_by(bot, "Prima, ik regel de zaal.", user=BOB, thread_ts=parent["ts"])
    last = posted_by(bot, "Besloten: 14 maart. Wie neemt de lunch?", user=USER, thread_ts=parent["ts"])
    url = use_shortcut(bot, SUMMARY_SHORTCUT, last)
    result = slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
    assert result.body["response_type"] == "ephemeral" and result.body["replace_original"] is True
    assert slack.calls_to("conversations.replies")[-1].params["ts"] == parent["ts"], "the whole thread"
    prompt = bot.services.template_filler.generator.requests[0].messages[-1]["content"]
    assert "alice: Zullen we de heidag naar 14 maart verzetten?" in prompt
    assert "bob: Prima, ik regel de zaal." in prompt and "Wie neemt de lunch?" in prompt
    text = str(result.body["blocks"])
    assert "Samenvatting" in text and "Kernpunten" in text and "alleen voor jou" in text
    assert "archives" in text, "links to the thread"
    assert not slack.calls_to("chat.postMessage"), "nothing public"


def test_summarise_a_thread_the_bot_cannot_read(summary_bot):
    slack = summary_bot.slack
    slack.workspace.not_in_channel.add("C0GEHEIM")
    slack.fail("conversations.replies", status=200, error="not_in_channel", retry_after=None)
    message = {"type": "message", "user": BOB, "ts": payloads.new_ts(), "text": "Iets geheims"}
    url = use_shortcut(summary_bot, SUMMARY_SHORTCUT, message, channel="C0GEHEIM")
    assert slack.wait_for_response(url).body["text"] == NOT_READABLE
    assert not summary_bot.services.template_filler.generator.requests


def test_a_long_thread_keeps_its_opening_and_its_latest_messages_within_the_template_field():
    from bot.slack.listeners.shortcuts.summarise_thread import SUMMARY_CHARS, thread_text

    messages = [{"user": USER if i % 2 else BOB, "ts": f"1.{i:06d}", "text": f"bericht {i} " + "bla " * 20}
                for i in range(60)]
    text, left_out = thread_text(messages, lambda m: m["user"], bot_user_id="UBOT")
    lines = text.splitlines()
    assert len(text) <= SUMMARY_CHARS and left_out > 0
    assert lines[0].startswith(f"{BOB}: bericht 0 ") and f"[… {left_out} berichten weggelaten …]" == lines[1]
    assert lines[-1].startswith(f"{USER}: bericht 59 ")
    assert len(lines) - 2 + left_out == 59, "every message is either shown or counted as left out"
