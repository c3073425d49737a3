"""Restricted collections fail closed, in every entry point: an HR-confidential collection is searched
only in a channel that lists it and in the DMs of the users (or user group members) granted it;
everywhere else never, also where all collections would otherwise be searched. The real Bolt app over
real sockets to the fake Slack; the retriever records the collections of each search."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.access.policy import Access
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.settings import SettingsError
from bot.storage.database import Storage
from tests.conftest import make_settings
from tests.slack.conftest import CHANNEL, DM, USER, bot_settings, running_bot
from tests.slack.fakes import SAMPLE_CHUNKS, FixedRetriever, chunk, scripted_engine
from tests.slack.test_answer_flow import ask_in_channel, final_message

HR = "hr-vertrouwelijk"
HR_CHANNEL = "C0HRTEAM"
HR_USER = "U0HRLEAD"
HR_MEMBER = "U0HRMEMBER"  # granted through the user group
HR_GROUP = "S0HRGROUP"
SALARIES = dataclasses.replace(chunk("salarisschalen.md", "Salarisschalen 2025",
                                     "Schaal 9 loopt tot 5.400 euro bruto."),
                               id=f"{HR}:salarisschalen.md#0", collection=HR)


def restricted_settings(tmp_path: Path, slack, **overrides):
    return bot_settings(tmp_path, slack, sources={"bedrijf": tmp_path / "bedrijf", HR: tmp_path / "hr"},
                        restricted_collections=[HR], restricted_access={HR: [HR_USER, HR_GROUP]},
                        channel_collections={HR_CHANNEL: ["bedrijf", HR]}, **overrides)


@pytest.fixture
def retriever() -> FixedRetriever:
    return FixedRetriever([SALARIES, *SAMPLE_CHUNKS])  # cited as [1] wherever it may be found


@pytest.fixture
def bot(tmp_path, slack, scripted_generator, retriever):
    for user, name in ((HR_USER, "hrlead"), (HR_MEMBER, "hrmember")):
        slack.workspace.add_user(user, name)
    slack.workspace.usergroups[HR_GROUP] = [HR_MEMBER]
    settings = restricted_settings(tmp_path, slack)
    services = Services(settings, engine=scripted_engine(scripted_generator, retriever),
                        generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    with running_bot(slack, services) as running:
        yield running


def searched(retriever: FixedRetriever) -> list[str] | None:
    """The collections of the last search (the engine may search twice per question: same collections)."""
    return retriever.searches[-1][1]


def dm_of(user: str) -> str:
    return "D" + user[1:]


def test_mentions_and_follow_ups_search_the_restricted_collection_only_where_the_channel_lists_it(bot, retriever):
    first = ask_in_channel(bot, "Hoeveel verdient schaal 9?")
    answer = final_message(bot, CHANNEL, first["ts"])
    assert searched(retriever) == ["bedrijf"]  # not None: "all" would include the HR collection
    assert "Salarisschalen" not in str(answer)
    follow_up = ask_in_channel(bot, "En schaal 10?", thread_ts=first["ts"], user=HR_USER)
    final_message(bot, CHANNEL, first["ts"])
    bot.parts.replier.wait_until_idle(10)
    assert searched(retriever) == ["bedrijf"], "a granted user in an open channel: the channel decides"
    assert follow_up["thread_ts"] == first["ts"]

    in_hr = ask_in_channel(bot, "Hoeveel verdient schaal 9?", channel=HR_CHANNEL)
    answer = final_message(bot, HR_CHANNEL, in_hr["ts"])
    assert searched(retriever) == ["bedrijf", HR] and "Salarisschalen" in str(answer)


@pytest.mark.parametrize("user, granted", [(USER, False), (HR_USER, True), (HR_MEMBER, True)])
def test_a_dm_searches_it_only_for_granted_users_and_group_members(bot, retriever, user, granted):
    slack = bot.slack
    event = slack.user_posts("Hoeveel verdient schaal 9?", user=user, channel=dm_of(user))
    slack.push_event(event)
    answer = final_message(bot, dm_of(user), event["ts"])
    assert searched(retriever) == (["bedrijf", HR] if granted else ["bedrijf"])
    assert ("Salarisschalen" in str(answer)) is granted
    if user == HR_MEMBER:
        assert slack.calls_to("usergroups.users.list")[0].params["usergroup"] == HR_GROUP


def test_vraag_follows_the_channel_in_a_channel_and_the_user_in_a_dm(bot, retriever):
    slack = bot.slack
    _, url = slack.push_command("/vraag", "Hoeveel verdient schaal 9?", user=HR_USER, channel=CHANNEL)
    slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
    assert searched(retriever) == ["bedrijf"]  # an ephemeral answer can be shared in the channel
    _, url = slack.push_command("/vraag", "Hoeveel verdient schaal 9?", user=USER, channel=DM)
    slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
    assert searched(retriever) == ["bedrijf"]
    _, url = slack.push_command("/vraag", "Hoeveel verdient schaal 9?", user=HR_USER, channel=dm_of(HR_USER))
    slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
    assert searched(retriever) == ["bedrijf", HR]


@pytest.fixture
def template_bot(tmp_path, slack, retriever):
    from bot.answering.engine import AnswerEngine
    from bot.templates.filling import TemplateFiller
    from tests.templates.builders import ScriptedModel

    slack.workspace.add_user(HR_USER, "hrlead")
    settings = restricted_settings(tmp_path, slack)
    model = ScriptedModel()
    engine = AnswerEngine(retriever, model, min_relevance=0.0, cache_size=0)
    filler = TemplateFiller(model, retrieve=lambda query, collections=None: engine.retrieve(
        query, collections=collections))
    services = Services(settings, engine=engine, generator=model, template_filler=filler,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services) as running:
            yield running
    finally:
        model.close()


def brainstorm(bot, *, user: str, channel: str) -> dict:
    from bot.slack.listeners.commands.brainstorm import BRAINSTORM_COMMAND

    slack = bot.slack
    before = len(slack.calls_to("views.open"))
    slack.wait_for_ack(slack.push_command(BRAINSTORM_COMMAND, "salarissen", user=user, channel=channel)[0])
    view = slack.wait_for_call("views.open", count=before + 1).params["view"]
    done = len(slack.calls_to("chat.update", lambda c: bool(c.params.get("blocks"))))
    submit_form_as(slack, view, user, {"onderwerp": "salarisschalen", "doel": "een overzicht", "aantal": "1"})
    return slack.wait_for_call("chat.update", lambda c: bool(c.params.get("blocks")), count=done + 1, timeout=30)


def submit_form_as(slack, view: dict, user: str, values: dict) -> None:
    from tests.fakes.slack import payloads

    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    state = {name: {"value": {"type": kinds[name], "value": value}} for name, value in values.items()}
    slack.wait_for_ack(slack.push_interactive(payloads.view_submission(view, state, user=user)))


def test_a_template_searches_it_only_where_the_conversation_may(template_bot, retriever):
    result = brainstorm(template_bot, user=HR_USER, channel=CHANNEL)
    assert retriever.searches and all(c == ["bedrijf"] for _, c in retriever.searches)
    assert "Salarisschalen" not in str(result.params)
    count = len(retriever.searches)
    result = brainstorm(template_bot, user=HR_USER, channel=HR_CHANNEL)
    assert all(c == ["bedrijf", HR] for _, c in retriever.searches[count:])
    assert "Salarisschalen" in str(result.params)
    count = len(retriever.searches)
    brainstorm(template_bot, user=HR_USER, channel=dm_of(HR_USER))
    assert all(c == ["bedrijf", HR] for _, c in retriever.searches[count:])


# --- the decision itself, and its settings ------------------------------------------------------------

def test_without_restricted_collections_nothing_changes(tmp_path):
    settings = make_settings(tmp_path, channel_collections={HR_CHANNEL: ["hr"]}, dm_collections=["it"])
    access = Access.from_settings(settings)
    for channel, is_dm, expected in ((HR_CHANNEL, False, ["hr"]), (CHANNEL, False, None), (DM, True, ["it"])):
        assert access.collections_for(channel, is_dm=is_dm, user=USER) == expected


def test_dm_collections_never_grant_a_restricted_one_and_an_unreadable_group_grants_nothing(tmp_path):
    def unreadable(group: str):
        raise RuntimeError("Slack is down")

    settings = make_settings(tmp_path, sources={"bedrijf": tmp_path, HR: tmp_path}, dm_collections=[HR, "bedrijf"],
                             restricted_collections=[HR], restricted_access={HR: [HR_GROUP]})
    access = Access.from_settings(settings, members_of=unreadable)
    assert access.collections_for(DM, is_dm=True, user=HR_MEMBER) == ["bedrijf"]


@pytest.mark.parametrize("environ, message", [
    ({"VRAAGBAAK_RESTRICTED_ACCESS": "hr=U0HR1"}, "not in VRAAGBAAK_RESTRICTED_COLLECTIONS"),
    ({"VRAAGBAAK_RESTRICTED_COLLECTIONS": "hr", "VRAAGBAAK_RESTRICTED_ACCESS": "hr=C0HR"}, "C0HR"),
    ({"VRAAGBAAK_RESTRICTED_ACCESS": "U0HR1"}, "collectie=GEBRUIKER+GROEP"),
])
def test_restricted_access_is_checked_when_read(tmp_path, environ, message):
    from bot.settings import load_settings

    with pytest.raises(SettingsError, match=message.replace("+", r"\+")):
        load_settings(environ={"VRAAGBAAK_DATA_DIR": str(tmp_path), **environ}, config_path=None)


def test_restricted_access_is_read_from_the_environment(tmp_path):
    from bot.settings import load_settings

    settings = load_settings(environ={"VRAAGBAAK_RESTRICTED_COLLECTIONS": f"{HR},loon",
                                      "VRAAGBAAK_RESTRICTED_ACCESS": f"{HR}=U0HR1+S0HRGROUP;loon=U0CFO"},
                             config_path=None)
    assert settings.access.restricted_collections == [HR, "loon"]
    assert settings.access.restricted_access == {HR: ["U0HR1", "S0HRGROUP"], "loon": ["U0CFO"]}
