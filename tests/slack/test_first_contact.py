"""The AI notice at first contact (EU AI Act art. 50(1)), over the fake Slack."""

from __future__ import annotations

import sqlite3

from bot.people.first_contact import AI_NOTICE, FirstContacts
from bot.settings import Settings
from bot.slack.features.ai_notice import AiNotice
from bot.storage.database import Storage
from tests.slack.conftest import CHANNEL, DM, USER, RunningBot
from tests.slack.test_answer_flow import ask_in_channel, final_message
from tests.slack.test_restricted_collections import retriever, template_bot  # noqa: F401 (fixtures)

BOB = "U0BOB"
NL_MARK = "AI-assistent"
EN_MARK = "AI assistant"


def notices(bot: RunningBot, user: str, urls: list[str]) -> list[str]:
    """Every AI notice sent to `user`: privately in a channel, in their DM, or through a response URL."""
    slack = bot.slack
    texts = [c.params["text"] for c in slack.calls_to("chat.postEphemeral") if c.params.get("user") == user]
    texts += [c.params["text"] for c in slack.calls_to("chat.postMessage")
              if c.params["channel"] == "D" + user[1:] and (NL_MARK in c.params.get("text", "")
                                                           or EN_MARK in c.params.get("text", ""))]
    texts += [r.body["text"] for r in slack.responses if r.url in urls
              and (NL_MARK in r.body.get("text", "") or EN_MARK in r.body.get("text", ""))]
    return texts


def ask_privately(bot: RunningBot, text: str, *, user: str, channel: str = CHANNEL) -> str:
    """`/vraag`; returns its response URL once the answer came through it."""
    envelope_id, url = bot.slack.push_command("/vraag", text, user=user, channel=channel)
    bot.slack.wait_for_ack(envelope_id)
    bot.slack.wait_for_response(url, lambda r: "blocks" in r.body)
    return url


def ask_in_dm(bot: RunningBot, text: str, *, user: str) -> None:
    dm = "D" + user[1:]
    event = bot.slack.user_posts(text, user=user, channel=dm)
    bot.slack.wait_for_ack(bot.slack.push_event(event))
    final_message(bot, dm, event["ts"])  # every DM is the root of its own thread


def test_each_person_gets_the_notice_once_across_every_entry_point(scripted_bot):
    scripted_bot.slack.workspace.add_user(BOB, "bob")
    first = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    final_message(scripted_bot, CHANNEL, first["ts"])
    notice = scripted_bot.slack.calls_to("chat.postEphemeral")[0]
    assert notice.params["user"] == USER and notice.params["channel"] == CHANNEL
    assert notice.params["thread_ts"] == first["ts"], "privately, in the thread of the question"
    assert NL_MARK in notice.params["text"] and "bronnen" in notice.params["text"]
    reaction = scripted_bot.slack.calls_to("agents.sessions.setStatus")[0]  # the thread's session: processing
    answer = scripted_bot.slack.calls_to("chat.startStream")[0]
    assert notice.at < answer.at, "told before the answer is written"
    assert reaction.at < notice.at, "the question is acknowledged at once"

    ask_in_dm(scripted_bot, "Hoe meld ik me ziek?", user=USER)
    alices_url = ask_privately(scripted_bot, "Hoe vraag ik verlof aan?", user=USER)
    ask_in_channel(scripted_bot, "En voor parttimers?", thread_ts=first["ts"])
    scripted_bot.slack.wait_until(lambda: len(scripted_bot.slack.calls_to("chat.stopStream")) >= 2, 20, "answer")
    assert len(notices(scripted_bot, USER, [alices_url])) == 1, "Alice is told once, whatever way she asks next"

    # Bob's first contact is a private English question: the English notice, through the response URL
    bobs_url = ask_privately(scripted_bot, "How many vacation days do I get?", user=BOB)
    ask_in_dm(scripted_bot, "Hoe meld ik me ziek?", user=BOB)
    bobs = notices(scripted_bot, BOB, [bobs_url])
    assert len(bobs) == 1 and EN_MARK in bobs[0] and "sources" in bobs[0]


def test_a_notice_that_could_not_be_sent_is_sent_with_the_next_answer(scripted_bot):
    slack = scripted_bot.slack
    slack.fail("chat.postEphemeral", status=200, error="channel_not_found", retry_after=None)
    first = ask_in_channel(scripted_bot, "Hoeveel vakantiedagen heb ik?")
    final_message(scripted_bot, CHANNEL, first["ts"])  # the answer came all the same
    assert not scripted_bot.parts.ai_notice.told.knows(scripted_bot.services.pseudonymizer.stored_forms(USER))
    second = ask_in_channel(scripted_bot, "Hoe meld ik me ziek?")
    final_message(scripted_bot, CHANNEL, second["ts"])
    sent = [c for c in slack.calls_to("chat.postEphemeral") if c.ok]
    assert len(sent) == 1 and sent[0].params["thread_ts"] == second["ts"]


def told(settings: Settings, pseudonymize=str):
    """Who got the AI notice, as `serve` opens it (a fresh Storage: as after a restart)."""
    contacts = FirstContacts(Storage().database(settings.folders.first_contacts_path), pseudonymize=pseudonymize)
    return contacts.once(AI_NOTICE)


def test_who_was_told_survives_a_restart_under_a_pseudonym(settings: Settings):
    pseudonym = lambda user: "p_" + user[::-1].lower()  # noqa: E731
    first = AiNotice.from_settings(settings, told=told(settings, pseudonym)).told
    assert first.first_time(USER) and not first.first_time(USER)
    restarted = AiNotice.from_settings(settings, told=told(settings, pseudonym)).told  # as after a restart
    assert restarted.knows([pseudonym(USER)]) and not restarted.first_time(USER)
    assert not restarted.knows([pseudonym(BOB)])
    with sqlite3.connect(settings.folders.first_contacts_path) as db:
        assert db.execute("SELECT purpose, person FROM first_contacts").fetchall() == [(AI_NOTICE, pseudonym(USER))]
    assert settings.folders.first_contacts_path.stat().st_mode & 0o077 == 0


def test_the_notice_text_comes_from_the_settings_and_can_be_switched_off(tmp_path, settings: Settings):
    custom = settings.with_overrides(ai_notice="Let op: dit is een AI.", ai_notice_en="")
    contact = AiNotice.from_settings(custom, told=told(settings))
    assert contact.notice_for("Hoe meld ik me ziek?") == "Let op: dit is een AI."
    assert contact.notice_for("How do I call in sick?") == "Let op: dit is een AI.", "no English text: the Dutch one"
    off = AiNotice.from_settings(settings.with_overrides(ai_notice="", ai_notice_en=""), told=told(settings))

    class Nobody:
        def __getattr__(self, name):
            raise AssertionError("nothing is sent when the notice is switched off")
    from bot.slack.answer_flow.replying import Question
    assert off.greet(Question(text="Hoe?", user=USER, channel=DM, is_dm=True), Nobody()) is False


def test_privacy_export_and_forget_include_the_notice_and_the_followed_threads(tmp_path, capsys):
    import json

    from bot.cli import main
    from bot.services import Services
    from tests.conftest import make_settings

    data = tmp_path / "data"
    services = Services(make_settings(data))
    AiNotice.from_settings(services.settings, told=services.first_contacts.once(AI_NOTICE)).told.first_time(USER)
    services.followed_threads.remember(CHANNEL, "1.000001", USER)
    services.followed_threads.remember(CHANNEL, "1.000001", BOB)

    assert main(["--data-dir", str(data), "privacy", "export", "--user", USER]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["first_contacts"] == {"greeted_in_messages_tab": False, "ai_notice_shown": True}
    assert [(t["channel"], t["thread_ts"]) for t in document["followed_threads"]] == [(CHANNEL, "1.000001")]
    assert main(["--data-dir", str(data), "privacy", "forget", "--user", USER]) == 0
    assert "2 gegeven(s) over U0ALICE gewist" in capsys.readouterr().out
    assert main(["--data-dir", str(data), "privacy", "export", "--user", USER]) == 0
    emptied = json.loads(capsys.readouterr().out)
    assert emptied["first_contacts"]["ai_notice_shown"] is False and emptied["followed_threads"] == []
    assert services.followed_threads.answered(CHANNEL, "1.000001", BOB), "only this person's records go"


def test_a_template_is_a_first_contact_too(template_bot):
    from tests.slack.test_restricted_collections import HR_USER, brainstorm

    brainstorm(template_bot, user=HR_USER, channel=CHANNEL)
    [notice] = [c for c in template_bot.slack.calls_to("chat.postEphemeral") if c.params["user"] == HR_USER]
    assert notice.params["channel"] == CHANNEL and NL_MARK in notice.params["text"]
    brainstorm(template_bot, user=HR_USER, channel=CHANNEL)
    assert notices(template_bot, HR_USER, []) == [notice.params["text"]], "and only that once"
