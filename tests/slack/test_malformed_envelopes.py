"""Every envelope Slack could send is acknowledged, malformed ones included, and the bot goes on
answering (real Bolt over real sockets to the fake Slack)."""

from __future__ import annotations

import pytest

from tests.fakes.slack import payloads
from tests.slack.conftest import CHANNEL, DM, USER
from tests.slack.test_answer_flow import final_message

TEAM = {"id": "T0TEST", "domain": "vraagbaak-test"}
USER_FIELD = {"id": USER, "username": "alice", "team_id": "T0TEST"}

MALFORMED = {
    "event_callback without event": ("events_api", {"type": "event_callback", "team_id": "T0TEST",
                                                    "api_app_id": "A0VRAAGBAAK", "event_id": "Ev0GEEN",
                                                    "event_time": 1790000000}),
    "event without type": ("events_api", {"type": "event_callback", "team_id": "T0TEST", "event_id": "Ev0LEEG",
                                          "event": {"user": USER}}),
    "event that is no object": ("events_api", {"type": "event_callback", "team_id": "T0TEST",
                                               "event_id": "Ev0TEKST", "event": "app_mention"}),
    "unknown interactive type": ("interactive", {"type": "iets_nieuws", "user": USER_FIELD, "team": TEAM}),
    "block_actions without actions": ("interactive", {"type": "block_actions", "user": USER_FIELD, "team": TEAM,
                                                      "container": {"type": "message", "channel_id": CHANNEL},
                                                      "response_url": "https://hooks.invalid/x"}),
    "block_actions with empty actions": ("interactive", {"type": "block_actions", "user": USER_FIELD, "team": TEAM,
                                                         "actions": []}),
    "block_actions without user": ("interactive", {"type": "block_actions", "team": TEAM,
                                                   "actions": [{"action_id": "feedback", "value": "up:x"}]}),
    "view_submission without view": ("interactive", {"type": "view_submission", "user": USER_FIELD,
                                                     "team": TEAM}),
    "slash command without command": ("slash_commands", {"text": "hoi", "user_id": USER, "team_id": "T0TEST",
                                                         "channel_id": CHANNEL}),
    "unknown envelope type": ("iets_anders", {"type": "x"}),
    "payload that is no object": ("interactive", "block_actions"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_envelope_is_acknowledged_and_the_bot_goes_on(scripted_bot, name):
    slack = scripted_bot.slack
    kind, payload = MALFORMED[name]
    envelope_id = slack.send_envelope(payloads.envelope(kind, payload))
    slack.wait_for_ack(envelope_id, timeout=3)
    question = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=DM)
    slack.push_event(question)
    assert "25 vakantiedagen" in final_message(scripted_bot, DM, question["ts"])["text"]
