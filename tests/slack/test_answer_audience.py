"""A click on an answer's buttons counts only from someone who could see the answer (over the fake
Slack, real Bolt): a vote whose value names another person's DM answer, or a channel answer voted on
by someone outside the channel, is refused in Dutch and stores nothing; a private answer is shared
only by its asker."""

from __future__ import annotations

from bot.slack.features.answer_audience import NOT_YOURS
from bot.slack.ui.blocks import ACTION_SHARE, ACTION_VOTE_DOWN
from tests.fakes.slack import payloads
from tests.slack.conftest import CHANNEL, DM, USER
from tests.slack.test_answer_flow import ask_in_channel, feedback_click, feedback_values, final_message
from tests.slack.test_commands import answer_response, command

BOB, BOB_DM, CAROL = "U0BOB", "D0BOB", "U0CAROL"


def click(bot, answer: dict, *, user: str, channel: str, which: str = "negative") -> str:
    """`user` clicks a feedback button of `answer` from `channel`; returns the private reply's text."""
    url = bot.slack.new_response_url()
    bot.slack.wait_for_ack(bot.slack.push_interactive(feedback_click(answer, which=which, user=user,
                                                                     response_url=url, channel=channel)))
    return bot.slack.wait_for_response(url).body["text"]


def votes(bot) -> list[tuple[str, str]]:
    return [(row["user"], row["vote"]) for row in bot.services.feedback.rows()]


def test_a_vote_forged_from_another_dm_on_someone_elses_dm_answer_does_not_count(scripted_bot):
    slack = scripted_bot.slack
    question = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=DM)
    slack.push_event(question)
    answer = final_message(scripted_bot, DM, question["ts"])

    assert click(scripted_bot, answer, user=BOB, channel=BOB_DM) == NOT_YOURS
    old_button = payloads.block_actions({"action_id": ACTION_VOTE_DOWN,
                                         "value": feedback_values(answer)["negative"].split(":", 1)[1]},
                                        user=BOB, channel=BOB_DM, response_url=(url := slack.new_response_url()))
    slack.push_interactive(old_button)
    assert slack.wait_for_response(url).body["text"] == NOT_YOURS
    assert votes(scripted_bot) == [], "nothing stored for the forger"
    assert click(scripted_bot, answer, user=USER, channel=DM).startswith("Bedankt")
    assert votes(scripted_bot) == [(USER, "down")]


def test_in_a_channel_a_member_may_vote_and_an_outsider_may_not(scripted_bot):
    slack = scripted_bot.slack
    slack.workspace.channel_members[CHANNEL] = [USER, CAROL, "UBOT"]
    event = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    answer = final_message(scripted_bot, CHANNEL, event["ts"])

    assert click(scripted_bot, answer, user=BOB, channel=BOB_DM) == NOT_YOURS
    assert votes(scripted_bot) == []
    assert click(scripted_bot, answer, user=CAROL, channel=CHANNEL, which="positive").startswith("Bedankt")
    assert votes(scripted_bot) == [(CAROL, "up")]
    members = slack.calls_to("conversations.members")
    assert members and all(c.params["channel"] == CHANNEL for c in members)


def test_only_the_asker_shares_a_private_answer(scripted_bot):
    slack = scripted_bot.slack
    _, response_url = command(scripted_bot, "/vraag", "Hoeveel vakantiedagen heb ik?")
    private = answer_response(scripted_bot, response_url)
    value = next(e["value"] for b in private.body["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == ACTION_SHARE)
    url = slack.new_response_url()
    slack.push_interactive(payloads.block_actions({"action_id": ACTION_SHARE, "value": value}, user=BOB,
                                                  channel=CHANNEL, response_url=url))
    assert slack.wait_for_response(url).body["text"] == NOT_YOURS
    assert not slack.calls_to("chat.postMessage"), "nothing posted for someone who never saw it"
