"""The templates in Slack, with the real Bolt app over real sockets to the fake Slack: a form opens,
field errors show in the modal, and the result is posted where the form was opened (or the DM)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.slack.listeners.commands.brainstorm import BRAINSTORM_COMMAND
from bot.slack.listeners.shortcuts.vraagbaak_template import SHORTCUT
from bot.slack.ui.templates_modal import FORM_CALLBACK, PICKER_BLOCK, PICKER_CALLBACK
from bot.templates.filling import TemplateFiller
from tests.fakes.slack import FakeSlack, payloads
from bot.services import Services
from tests.slack.conftest import CHANNEL, USER, bot_settings, running_bot
from tests.templates.builders import ScriptedModel, write_template
from tests.templates.test_filling import HITS


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
def bot(tmp_path: Path, slack: FakeSlack, model: ScriptedModel):
    write_template(tmp_path / "sjablonen", "weekstart")
    write_template(tmp_path / "sjablonen", "kapot", "title = 3\n")
    settings = bot_settings(tmp_path, slack, templates_dir=tmp_path / "sjablonen", admin_user_ids=[USER])
    services = Services(settings, template_filler=TemplateFiller(model))
    with running_bot(slack, services) as running:
        yield running


def open_form(bot, command: str, text: str = "") -> dict:
    envelope_id, _ = bot.slack.push_command(command, text, user=USER, channel=CHANNEL)
    bot.slack.wait_for_ack(envelope_id)
    return bot.slack.wait_for_call("views.open").params["view"]


def submit(bot, view: dict, values: dict) -> dict | None:
    """Submits the modal as Slack does: state.values holds each input's element type and value."""
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    state = {}
    for name, value in values.items():
        element = ({"type": "static_select", "selected_option": {"value": value}} if kinds[name] == "static_select"
                   else {"type": kinds[name], "value": value})
        state[name] = {"value": element}
    envelope_id = bot.slack.push_interactive(payloads.view_submission(view, state, user=USER))
    return bot.slack.wait_for_ack(envelope_id).payload


def test_brainstorm_form_opens_validates_in_the_modal_and_posts_the_result_in_the_channel(bot, model):
    view = open_form(bot, BRAINSTORM_COMMAND, "minder papier")
    assert view["callback_id"] == FORM_CALLBACK and view["title"]["text"] == "Brainstorm"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["onderwerp", "doel", "doelgroep", "aantal", "randvoorwaarden"]
    assert inputs["onderwerp"]["element"]["initial_value"] == "minder papier"
    assert inputs["doel"]["element"]["multiline"] is True and inputs["doelgroep"]["optional"] is True
    assert inputs["aantal"]["element"] == {"type": "number_input", "action_id": "value", "is_decimal_allowed": False,
                                           "initial_value": "5", "min_value": "1", "max_value": "10"}
    assert json.loads(view["private_metadata"])["channel"] == CHANNEL

    refused = submit(bot, view, {"onderwerp": "minder papier", "doel": " ", "aantal": "12"})
    assert refused == {"response_action": "errors",
                       "errors": {"doel": "Vul dit veld in.", "aantal": "Kies een getal van 1 tot en met 10."}}
    assert model.requests == [] and not bot.slack.calls_to("chat.postMessage")

    accepted = submit(bot, view, {"onderwerp": "minder papier", "doel": "duurzamer werken", "aantal": "3"})
    assert not accepted, "a valid form is acknowledged at once, without waiting for the model"
    placeholder = bot.slack.wait_for_call("chat.postMessage")
    assert placeholder.params["channel"] == CHANNEL and "Ik maak je brainstorm" in placeholder.params["text"]
    result = bot.slack.wait_for_call("chat.update", lambda c: c.params.get("blocks"))
    assert result.params["ts"] == placeholder.response["ts"]
    blocks = result.params["blocks"]
    assert f"<@{USER}>" in blocks[0]["elements"][0]["text"] and blocks[1]["text"]["text"] == "Brainstorm"
    ideas = [b for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(("*1.", "*2.", "*3."))]
    assert len(ideas) == 3
    ideas_schema = model.requests[0].json_schema["properties"]["ideeen"]
    assert ideas_schema["minItems"] == ideas_schema["maxItems"] == 3


def test_when_the_bot_is_not_in_the_channel_the_result_goes_to_the_dm(bot):
    bot.slack.workspace.not_in_channel.add(CHANNEL)
    view = open_form(bot, BRAINSTORM_COMMAND)
    submit(bot, view, {"onderwerp": "papier", "doel": "minder", "aantal": "1"})
    result = bot.slack.wait_for_call("chat.update", lambda c: c.params.get("blocks"))
    assert result.params["channel"] == "D" + USER[1:]
    dm = bot.slack.workspace.messages["D" + USER[1:]][0]
    assert dm["blocks"][1]["text"]["text"] == "Brainstorm"


def test_the_global_shortcut_picks_a_template_then_posts_in_the_dm(bot, model):
    bot.slack.wait_for_ack(bot.slack.push_interactive(payloads.shortcut(SHORTCUT, user=USER)))
    picker = bot.slack.wait_for_call("views.open").params["view"]
    assert picker["callback_id"] == PICKER_CALLBACK
    options = [o["value"] for o in picker["blocks"][0]["element"]["options"]]
    assert options == ["actiepunten", "brainstorm", "nieuwsbericht", "samenvatting", "weekstart"]

    form = submit(bot, picker, {PICKER_BLOCK: "samenvatting"})
    assert form["response_action"] == "update" and form["view"]["callback_id"] == FORM_CALLBACK
    assert [b["block_id"] for b in form["view"]["blocks"] if b["type"] == "input"] == ["tekst", "focus"]

    assert not submit(bot, form["view"], {"tekst": "Piet: we verhuizen in mei. Anna: akkoord."})
    result = bot.slack.wait_for_call("chat.update", lambda c: c.params.get("blocks"))
    assert result.params["channel"] == "D" + USER[1:]
    assert result.params["blocks"][1]["text"]["text"] == "Samenvatting"
    assert "we verhuizen in mei" in model.requests[0].messages[-1]["content"]


def test_vraagbaak_templates_lists_them_and_shows_admins_the_broken_files(bot):
    envelope_id, response_url = bot.slack.push_command("/vraagbaak", "templates", user=USER, channel=CHANNEL)
    bot.slack.wait_for_ack(envelope_id)
    text = bot.slack.wait_for_response(response_url).body["text"]
    for name in ("brainstorm", "samenvatting", "nieuwsbericht", "actiepunten", "weekstart"):
        assert f"`{name}`" in text
    assert "`kapot.toml` veld `title`" in text


def test_vraagbaak_template_opens_any_template_and_refuses_unknown_ones(bot):
    view = open_form(bot, "/vraagbaak", "template weekstart")
    assert view["title"]["text"] == "Weekstart" and json.loads(view["private_metadata"])["template"] == "weekstart"

    envelope_id, response_url = bot.slack.push_command("/vraagbaak", "template kerst", user=USER, channel=CHANNEL)
    bot.slack.wait_for_ack(envelope_id)
    assert "Onbekend sjabloon 'kerst'" in bot.slack.wait_for_response(response_url).body["text"]


def test_when_the_model_gives_no_valid_output_the_placeholder_says_so_in_dutch(bot, model):
    model.replies = ["geen json"]
    view = open_form(bot, BRAINSTORM_COMMAND)
    submit(bot, view, {"onderwerp": "papier", "doel": "minder", "aantal": "2"})
    failed = bot.slack.wait_for_call("chat.update")
    assert failed.params["text"].startswith("Sorry, je brainstorm lukte niet: Het taalmodel gaf geen uitvoer")
    assert len(model.requests) == 2, "tried twice"


@pytest.mark.slow
def test_a_brainstorm_from_slack_with_the_real_model(tmp_path: Path, slack: FakeSlack, generator):
    settings = bot_settings(tmp_path, slack)
    filler = TemplateFiller(generator, retrieve=lambda query, collections=None: HITS)
    with running_bot(slack, Services(settings, template_filler=filler)) as bot:
        view = open_form(bot, BRAINSTORM_COMMAND, "de kerstborrel")
        assert not submit(bot, view, {"onderwerp": "de kerstborrel", "doel": "iedereen voelt zich welkom",
                                      "aantal": "2"})
        result = bot.slack.wait_for_call("chat.update", lambda c: c.params.get("blocks"), timeout=300)
    blocks = result.params["blocks"]
    ideas = [b for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(("*1.", "*2."))]
    assert len(ideas) == 2
    assert any(b["type"] == "context" and "*Bronnen:* Brainstormen" in b["elements"][0]["text"] for b in blocks)
