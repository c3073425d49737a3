"""Slack's agent messaging experience end to end over the fake Slack (real Bolt, real sockets, the real
AnswerEngine on a scripted model): the Messages tab greets once, every message there is answered in
its own thread, the channel the person looks at picks the collections (within bot/access/policy.py), a
workspace on the older assistant view still works, and every event of the manifest is acknowledged."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sqlite3

import pytest
import yaml

from bot.commands.privacy import run_privacy_forget
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.features.greeting import GREETING, PROMPTS_TITLE, SUGGESTED_PROMPTS
from bot.storage.database import Storage
from tests.fakes.slack import SignedSender, payloads
from tests.slack.conftest import CHANNEL, DM, SIGNING_SECRET, USER, bot_settings, running_bot
from tests.slack.fakes import SAMPLE_CHUNKS, FixedRetriever, chunk, scripted_engine
from tests.slack.test_answer_flow import final_message
from tests.slack.test_manifest import MANIFEST
from tests.slack.test_restricted_collections import HR, HR_CHANNEL, HR_USER, SALARIES, dm_of

IT_CHANNEL = "C0ITHELP"
IT_CHUNK = dataclasses.replace(chunk("vpn.md", "VPN", "Start de VPN-client en log in met je laptopaccount."),
                               id="it:vpn.md#0", collection="it")


def greetings(slack, channel: str) -> list[dict]:
    with slack.workspace.lock:
        return [m for m in slack.workspace.messages.get(channel, []) if m.get("bot_id") and m["text"] == GREETING]


def wait_for_log(slack, caplog, text: str) -> None:
    slack.wait_until(lambda: any(text in r.getMessage() for r in caplog.records), 10, f"log {text!r}")


def test_opening_the_messages_tab_greets_once_with_prompts_pinned_to_the_tab(scripted_bot, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.slack.features.greeting")
    slack = scripted_bot.slack
    slack.wait_for_ack(slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages")))
    call = slack.wait_for_call("assistant.threads.setSuggestedPrompts")
    assert call.ok and "thread_ts" not in call.params, "agent view: a thread_ts makes Slack ignore the call"
    assert slack.workspace.suggested_prompts[(DM, None)] == {"title": PROMPTS_TITLE, "prompts": SUGGESTED_PROMPTS}
    slack.wait_until(lambda: greetings(slack, DM), 10, "the greeting")

    slack.wait_for_ack(slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages")))
    wait_for_log(slack, caplog, "greeted before, nothing to do")
    assert len(greetings(slack, DM)) == 1
    assert len(slack.calls_to("assistant.threads.setSuggestedPrompts")) == 1
    with sqlite3.connect(scripted_bot.services.settings.folders.first_contacts_path) as db:
        [(stored,)] = db.execute("SELECT person FROM first_contacts WHERE purpose = 'greeted'").fetchall()
    assert USER not in stored and stored.startswith("p_"), "remembered by pseudonym only"


def test_the_greeting_is_remembered_across_a_restart_and_forgotten_on_request(tmp_path, slack, scripted_generator,
                                                                             caplog):
    caplog.set_level(logging.DEBUG, logger="bot.slack.features.greeting")
    settings = bot_settings(tmp_path, slack)

    def services() -> Services:
        return Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services()):
        slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages"))
        slack.wait_until(lambda: greetings(slack, DM), 10, "the greeting")
    with running_bot(slack, services()):
        slack.wait_for_connection(2)  # the restarted bot's own connection
        slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages"))
        wait_for_log(slack, caplog, "greeted before, nothing to do")
    assert len(greetings(slack, DM)) == 1
    run_privacy_forget(argparse.Namespace(user=USER), services())
    with running_bot(slack, services()):
        slack.wait_for_connection(3)
        slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages"))
        slack.wait_until(lambda: len(greetings(slack, DM)) == 2, 10, "a new greeting after the erasure")


def test_a_failed_greeting_is_tried_again_at_the_next_opening(scripted_bot):
    slack = scripted_bot.slack
    slack.fail("chat.postMessage", status=200, error="internal_error", retry_after=None)
    slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages"))
    slack.wait_for_call("chat.postMessage", lambda c: not c.ok)
    slack.wait_until(lambda: not scripted_bot.parts.greeted.knows(
        scripted_bot.services.pseudonymizer.stored_forms(USER)), 10, "the greeting undone")
    slack.push_event(payloads.app_home_opened(user=USER, channel=DM, tab="messages"))
    slack.wait_until(lambda: greetings(slack, DM), 10, "the greeting at the second opening")


def test_a_messages_tab_question_is_answered_in_its_own_thread_and_followed_up_there(scripted_bot, scripted_generator):
    slack = scripted_bot.slack
    question = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=DM)
    slack.wait_for_ack(slack.push_event(question))
    answer = final_message(scripted_bot, DM, question["ts"])
    assert "25 vakantiedagen" in answer["text"]  # streamed (h/stream): the text is the message's, the footer its blocks
    start = slack.calls_to("chat.startStream")[0]
    assert start.params["thread_ts"] == question["ts"] and start.params["channel"] == DM
    status = slack.calls_to("assistant.threads.setStatus")
    assert status[0].params.items() >= {"channel_id": DM, "thread_ts": question["ts"], "status": "denkt na…"}.items()
    assert not slack.calls_to("reactions.add"), "the status shows the thinking, not a reaction"

    follow_up = slack.user_posts("En voor parttimers?", user=USER, channel=DM, thread_ts=question["ts"])
    slack.push_event(follow_up)
    scripted_generator.wait_for_requests(2)
    scripted_bot.parts.replier.wait_until_idle(10)
    prompt = scripted_generator.requests[1].messages[-1]["content"]
    assert "Hoeveel vakantiedagen heb ik?" in prompt and "25 vakantiedagen" in prompt
    other = slack.user_posts("Hoe meld ik me ziek?", user=USER, channel=DM)  # a new message: a new thread
    slack.push_event(other)
    final_message(scripted_bot, DM, other["ts"])
    assert "Hoeveel vakantiedagen heb ik?" not in scripted_generator.requests[2].messages[-1]["content"]


@pytest.fixture
def viewing_bot(tmp_path, slack, scripted_generator):
    slack.workspace.add_user(HR_USER, "hrlead")
    retriever = FixedRetriever([SALARIES, IT_CHUNK, *SAMPLE_CHUNKS])
    settings = bot_settings(tmp_path, slack,
                            sources={"bedrijf": tmp_path / "b", "it": tmp_path / "i", HR: tmp_path / "h"},
                            restricted_collections=[HR], restricted_access={HR: [HR_USER]},
                            channel_collections={IT_CHANNEL: ["it"], HR_CHANNEL: ["bedrijf", HR]})
    services = Services(settings, engine=scripted_engine(scripted_generator, retriever), generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services) as bot:
        yield bot, retriever


def ask_in_dm(bot, user: str, text: str) -> None:
    event = bot.slack.user_posts(text, user=user, channel=dm_of(user))
    bot.slack.push_event(event)
    final_message(bot, dm_of(user), event["ts"])
    bot.parts.replier.wait_until_idle(10)


def look_at(bot, user: str, channel: str, **extra) -> None:
    bot.slack.push_event(payloads.app_context_changed(user=user, channel=dm_of(user), viewing=channel, **extra))
    bot.slack.wait_until(lambda: bot.parts.viewing.of(user) == channel, 10, f"{user} looking at {channel}")


def test_the_channel_the_user_looks_at_picks_the_collections_within_access(viewing_bot):
    bot, retriever = viewing_bot
    ask_in_dm(bot, USER, "Hoe werkt de VPN?")
    assert retriever.searches[-1][1] == ["bedrijf", "it"], "a DM: the unrestricted collections"
    look_at(bot, USER, IT_CHANNEL)
    ask_in_dm(bot, USER, "Hoe werkt de VPN?")
    assert retriever.searches[-1][1] == ["it"]
    look_at(bot, USER, HR_CHANNEL, message_ts="1700000000.000100")  # a message in the HR channel
    ask_in_dm(bot, USER, "Hoeveel verdient schaal 9?")
    assert retriever.searches[-1][1] == ["bedrijf"], "the restricted collection stays closed to her"
    look_at(bot, HR_USER, HR_CHANNEL)
    ask_in_dm(bot, HR_USER, "Hoeveel verdient schaal 9?")
    assert retriever.searches[-1][1] == ["bedrijf", HR], "granted: the channel's collections, HR included"

    bot.slack.push_event(payloads.app_context_changed(user=USER, channel=dm_of(USER), viewing=None))
    bot.slack.wait_until(lambda: bot.parts.viewing.of(USER) is None, 10, "an empty context")
    ask_in_dm(bot, USER, "Hoe werkt de VPN?")
    assert retriever.searches[-1][1] == ["bedrijf", "it"]


def test_a_workspace_on_the_assistant_view_is_greeted_per_thread_and_answered_with_its_context(viewing_bot,
                                                                                               scripted_generator):
    bot, retriever = viewing_bot
    slack = bot.slack
    slack.workspace.messaging = "assistant"
    started = payloads.assistant_thread_started(user=USER, channel=DM, context={"channel_id": IT_CHANNEL})
    thread_ts = started["assistant_thread"]["thread_ts"]
    slack.workspace.store_message(DM, {"type": "message", "user": "UBOT", "ts": thread_ts, "text": ""})
    slack.wait_for_ack(slack.push_event(started))
    slack.wait_until(lambda: slack.workspace.suggested_prompts.get((DM, thread_ts)), 10, "the thread's prompts")
    slack.wait_until(lambda: [m for m in greetings(slack, DM) if m.get("thread_ts") == thread_ts], 10, "greeting")

    event = slack.user_posts("Hoe werkt de VPN?", user=USER, channel=DM, thread_ts=thread_ts)
    slack.push_event(event)
    final_message(bot, DM, thread_ts)
    bot.parts.replier.wait_until_idle(10)
    assert retriever.searches[-1][1] == ["it"], "the channel beside the assistant thread"
    changed = payloads.assistant_thread_context_changed(user=USER, channel=DM, thread_ts=thread_ts, viewing=CHANNEL)
    slack.push_event(changed)
    slack.wait_until(lambda: bot.parts.viewing.of(USER) == CHANNEL, 10, "the new context")
    slack.push_event(slack.user_posts("En op mijn telefoon?", user=USER, channel=DM, thread_ts=thread_ts))
    scripted_generator.wait_for_requests(2)
    bot.parts.replier.wait_until_idle(10)
    assert retriever.searches[-1][1] == ["bedrijf", "it"], "a channel without its own collections: the DM's"


def sample_event(name: str) -> dict:
    """One event of each type the manifest subscribes to, as Slack sends it."""
    return {
        "app_mention": payloads.app_mention("<@UBOT>", user=USER, channel=CHANNEL),
        "message.im": payloads.message("", user=USER, channel=DM),
        "app_home_opened": payloads.app_home_opened(user=USER, channel=DM, tab="about"),
        "app_context_changed": payloads.app_context_changed(user=USER, channel=DM, viewing=CHANNEL),
        # follow-ups in channel threads
        "message.channels": payloads.message("", user=USER, channel=CHANNEL, channel_type="channel"),
        "message.groups": payloads.message("", user=USER, channel="G0PRIVE", channel_type="group"),
        "message.mpim": payloads.message("", user=USER, channel="G0GROEPDM", channel_type="mpim"),
    }[name]


def test_every_event_in_the_manifest_and_any_other_is_acknowledged(scripted_bot):
    slack = scripted_bot.slack
    subscribed = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["settings"]["event_subscriptions"]["bot_events"]
    events = [sample_event(name) for name in subscribed]
    events += [{"type": "team_join", "user": {"id": "U0NEW"}, "event_ts": payloads.new_ts()},  # not subscribed
               payloads.assistant_thread_context_changed(user=USER, channel=DM, thread_ts=payloads.new_ts(),
                                                         viewing=CHANNEL)]
    for event in events:
        envelope_id = slack.push_event(event)
        ack = slack.wait_for_ack(envelope_id, timeout=3)
        assert ack.payload in (None, {}), event["type"]


def test_in_http_mode_an_event_nobody_handles_still_gets_200(tmp_path, slack, scripted_generator):
    """Bolt answers an event without a listener with 404, which Slack counts as a failed delivery."""
    settings = bot_settings(tmp_path, slack, slack_app_token="")
    services = Services(settings, engine=scripted_engine(scripted_generator), generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services, mode="http") as (_, server):
        sender = SignedSender(f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET)
        for event in ({"type": "team_join", "user": {"id": "U0NEW"}, "event_ts": payloads.new_ts()},
                      payloads.app_context_changed(user=USER, channel=DM, viewing=CHANNEL)):
            assert sender.post_event(payloads.event_callback(event)).status == 200, event["type"]


def test_the_viewed_channel_only_narrows_what_a_dm_may_search():
    from bot.access.policy import Access

    access = Access(collections=["bedrijf", "it", HR], channel_collections={IT_CHANNEL: ["it"], HR_CHANNEL: [HR],
                                                                         "C0BOTH": ["it", HR]},
                    dm_collections=["bedrijf"], restricted=[HR], granted={HR: [HR_USER]})
    dm = dict(channel=DM, is_dm=True)
    assert access.collections_for(**dm, user=USER, viewing=IT_CHANNEL) == ["bedrijf"], "it is not a DM collection"
    assert access.collections_for(**dm, user=USER, viewing=HR_CHANNEL) == ["bedrijf"], "not granted: no HR"
    assert access.collections_for(**dm, user=HR_USER, viewing=HR_CHANNEL) == [HR]
    assert access.collections_for(**dm, user=HR_USER, viewing="C0BOTH") == [HR]
    assert access.collections_for(**dm, user=USER, viewing="C0NOCONFIG") == ["bedrijf"]
    assert access.collections_for(CHANNEL, is_dm=False, user=HR_USER, viewing=HR_CHANNEL) == ["bedrijf", "it"], \
        "in a channel, the channel decides"


def test_what_is_viewed_is_forgotten_after_a_while_and_kept_for_a_bounded_number_of_people(monkeypatch):
    from bot.slack.answer_flow import viewing

    clock = [1000.0]
    monkeypatch.setattr(viewing.time, "monotonic", lambda: clock[0])
    seen = viewing.ViewedChannels(max_people=2, max_age_s=60)
    seen.remember("U1", "C1")
    seen.remember("U2", "C2")
    seen.remember("U3", "C3")
    assert [seen.of(u) for u in ("U1", "U2", "U3")] == [None, "C2", "C3"]
    clock[0] += 61
    assert seen.of("U2") is None
    assert viewing.viewed_channel({"entities": [{"type": "slack#/types/canvas_id", "value": "F1"},
                                                {"type": "slack#/types/channel_id", "value": "C9"}]}) == "C9"
    assert viewing.viewed_channel({}) is None
