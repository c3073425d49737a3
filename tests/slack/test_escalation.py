""""Vraag een collega": the question, the answer and its sources go to the channel
configured for the collection, with a permalink back; the asker hears where it went and who picks
it up. Over the fake Slack."""

from __future__ import annotations

import pytest

from bot.answering.prompts import NOT_FOUND
from bot.settings import SettingsError
from bot.slack.features.escalation import ACTION_ASK_COLLEAGUE, ACTION_CLAIM
from bot.slack.listeners.actions.ask_colleague import NOT_MEMBER, WITHHELD
from tests.conftest import make_settings
from tests.fakes.slack import payloads
from tests.slack.conftest import CHANNEL, USER, RunningBot
from tests.slack.fakes import SAMPLE_CHUNKS, FixedRetriever, scripted_engine
from tests.slack.test_answer_flow import ask_in_channel, final_message
from tests.slack.test_restricted_collections import HR, HR_CHANNEL, HR_USER, SALARIES

HR_QUESTIONS = "C0HRVRAGEN"
IT_HELP = "C0ITHELP"
COLLEAGUE = "U0HRCOLLEGA"


def buttons(message: dict) -> dict[str, dict]:
    return {e["action_id"]: e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def click(bot: RunningBot, element: dict, *, user: str, channel: str, message: dict) -> str:
    url = bot.slack.new_response_url()
    action = {"action_id": element["action_id"], "value": element["value"], "block_id": "b"}
    bot.slack.wait_for_ack(bot.slack.push_interactive(
        payloads.block_actions(action, user=user, channel=channel, response_url=url, message=message)))
    return url


def post_in(bot: RunningBot, channel: str):
    return bot.slack.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == channel)


@pytest.fixture
def bot(scripted_bot_with, slack) -> RunningBot:
    slack.workspace.add_user(COLLEAGUE, "hrcollega")
    return scripted_bot_with(settings={"escalation_channels": {"bedrijf": HR_QUESTIONS}})


def test_ask_a_colleague_posts_question_answer_and_sources_with_a_link_back(bot):
    slack = bot.slack
    question = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(bot, CHANNEL, question["ts"])
    button = buttons(answer)[ACTION_ASK_COLLEAGUE]
    assert button["text"]["text"].endswith("Vraag een collega")

    url = click(bot, button, user=USER, channel=CHANNEL, message=answer)
    post = post_in(bot, HR_QUESTIONS)
    text = str(post.params["blocks"])
    assert f"<@{USER}> vraagt hulp van een collega in <#{CHANNEL}>" in text
    assert "Hoeveel vakantiedagen heb ik?" in text and "25 vakantiedagen" in text
    assert "Vakantie en verlof" in text, "the sources go along"
    permalink = slack.calls_to("chat.getPermalink")[-1]
    assert permalink.params["channel"] == CHANNEL and permalink.params["message_ts"] == answer["ts"]
    assert permalink.response["permalink"] in text
    told = slack.wait_for_response(url)
    assert told.body["response_type"] == "ephemeral" and f"<#{HR_QUESTIONS}>" in told.body["text"]

    # a second click does not post twice
    again = click(bot, button, user=USER, channel=CHANNEL, message=answer)
    assert "al in" in slack.wait_for_response(again).body["text"]
    assert len(slack.calls_to("chat.postMessage", lambda c: c.params["channel"] == HR_QUESTIONS)) == 1

    # a colleague picks it up: the post says who, and the asker gets a DM with their name
    stored = {**post.response["message"], "ts": post.response["ts"]}
    click(bot, buttons(stored)[ACTION_CLAIM], user=COLLEAGUE, channel=HR_QUESTIONS, message=stored)
    update = slack.wait_for_call("chat.update", lambda c: c.params["channel"] == HR_QUESTIONS)
    assert f"Opgepakt door <@{COLLEAGUE}>" in str(update.params["blocks"])
    assert ACTION_CLAIM not in str(update.params["blocks"])
    dm = post_in(bot, USER)  # a DM: posted to the user id
    assert f"<@{COLLEAGUE}>" in dm.params["text"] and "Hoeveel vakantiedagen heb ik?" in dm.params["text"]


def test_a_refusal_has_the_button_too(bot, scripted_generator):
    scripted_generator.reply = lambda messages: NOT_FOUND["nl"]
    question = ask_in_channel(bot, "Mag mijn hond mee naar kantoor?")
    answer = final_message(bot, CHANNEL, question["ts"])
    assert NOT_FOUND["nl"] in str(answer)  # a refusal (streamed: the text is the message's, the footer its blocks)
    click(bot, buttons(answer)[ACTION_ASK_COLLEAGUE], user=USER, channel=CHANNEL, message=answer)
    assert "Mag mijn hond mee naar kantoor?" in str(post_in(bot, HR_QUESTIONS).params["blocks"])


def test_without_a_channel_for_the_collection_there_is_no_button(scripted_bot_with):
    bot = scripted_bot_with(settings={"escalation_channels": {"it": IT_HELP}})
    question = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?")
    assert ACTION_ASK_COLLEAGUE not in buttons(final_message(bot, CHANNEL, question["ts"]))


def test_not_a_member_of_the_colleagues_channel_is_told_in_dutch(bot):
    bot.slack.workspace.not_in_channel.add(HR_QUESTIONS)
    question = ask_in_channel(bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(bot, CHANNEL, question["ts"])
    url = click(bot, buttons(answer)[ACTION_ASK_COLLEAGUE], user=USER, channel=CHANNEL, message=answer)
    assert bot.slack.wait_for_response(url).body["text"] == NOT_MEMBER.format(channel=HR_QUESTIONS)


def test_a_private_answer_goes_along_without_a_link_and_restricted_sources_stay_out(scripted_bot_with, slack,
                                                                                   scripted_generator, tmp_path):
    slack.workspace.add_user(HR_USER, "hrlead")
    retriever = FixedRetriever([SALARIES, *SAMPLE_CHUNKS])  # the restricted salary scales are cited as [1]
    bot = scripted_bot_with(engine=scripted_engine(scripted_generator, retriever), settings={
        "sources": {"bedrijf": tmp_path / "bedrijf", HR: tmp_path / "hr"}, "restricted_collections": [HR],
        "channel_collections": {HR_CHANNEL: ["bedrijf", HR]}, "escalation_channels": {"*": IT_HELP}})
    envelope_id, url = slack.push_command("/vraag", "Hoeveel verdient schaal 9?", user=HR_USER, channel=HR_CHANNEL)
    private = slack.wait_for_response(url, lambda r: "blocks" in r.body)
    assert "Salarisschalen" in str(private.body["blocks"])
    button = {e["action_id"]: e for b in private.body["blocks"] if b["type"] == "actions"
              for e in b["elements"]}[ACTION_ASK_COLLEAGUE]
    click_url = bot.slack.new_response_url()
    slack.wait_for_ack(slack.push_interactive(payloads.block_actions(
        {"action_id": button["action_id"], "value": button["value"]}, user=HR_USER, channel=HR_CHANNEL,
        response_url=click_url)))  # an ephemeral message: no message in the payload
    text = str(post_in(bot, IT_HELP).params["blocks"])
    assert "Hoeveel verdient schaal 9?" in text
    assert "Salarisschalen" not in text and "5.400" not in text, "the IT channel may not see the HR collection"
    assert WITHHELD in text and f"antwoord <@{HR_USER}> met een direct bericht" in text
    assert not slack.calls_to("chat.getPermalink")


def test_escalation_channels_setting(tmp_path):
    settings = make_settings(tmp_path, escalation_channels=None)
    assert settings.colleagues.escalation_channels == {}
    from bot.settings import load_settings
    parsed = load_settings(environ={"VRAAGBAAK_ESCALATION_CHANNELS": "hr=C0HRVRAGEN, it=C0ITHELP;*=G0ALGEMEEN"},
                           config_path=None, data_dir=tmp_path)
    assert parsed.colleagues.escalation_channels == {"hr": "C0HRVRAGEN", "it": "C0ITHELP", "*": "G0ALGEMEEN"}
    with pytest.raises(SettingsError, match="ESCALATION"):
        load_settings(environ={"VRAAGBAAK_ESCALATION_CHANNELS": "hr=#hr-vragen"}, config_path=None, data_dir=tmp_path)


def test_an_answer_in_a_dm_is_handed_over_without_a_link_the_colleagues_cannot_open(bot):
    from tests.slack.conftest import DM

    slack = bot.slack
    question = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=DM)
    slack.wait_for_ack(slack.push_event(question))
    answer = final_message(bot, DM, question["ts"])
    url = click(bot, buttons(answer)[ACTION_ASK_COLLEAGUE], user=USER, channel=DM, message=answer)
    text = str(post_in(bot, HR_QUESTIONS).params["blocks"])
    assert f"antwoord <@{USER}> met een direct bericht" in text and "<#D" not in text
    assert not slack.calls_to("chat.getPermalink")
    assert "neemt contact met je op" in slack.wait_for_response(url).body["text"]


def test_an_english_question_is_told_in_english(bot):
    question = ask_in_channel(bot, "How many vacation days do I get?")
    answer = final_message(bot, CHANNEL, question["ts"])
    url = click(bot, buttons(answer)[ACTION_ASK_COLLEAGUE], user=USER, channel=CHANNEL, message=answer)
    assert bot.slack.wait_for_response(url).body["text"].startswith("I passed your question")
