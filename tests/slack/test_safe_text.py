"""No broadcast, no foreign mention, no stray link reaches Slack: a document with `<!channel>` and
`<@U0BOSS>` and a model that adds `@here` and foreign links, through a mention (streamed), a DM,
/vraag (ephemeral) and a template; the fake Slack records everything the bot sent."""

from __future__ import annotations

import json

import pytest

from bot.answering.engine import AnswerEngine
from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.ui.safe_text import ZWSP, neutralise
from bot.storage.database import Storage
from tests.fakes.slack import FakeSlack
from tests.generators import ScriptedGenerator
from tests.slack.conftest import ADMIN, CHANNEL, DM, USER, bot_settings, running_bot
from tests.slack.fakes import FixedRetriever, chunk
from tests.slack.test_answer_flow import ask_in_channel, final_message

CITED_LINK = "https://intranet.example/verlof"
FOREIGN = "https://elsewhere.example/phish"
DOCUMENT = chunk("hr/verlof.md", "Verlof <!channel>",
                 f"Vraag verlof aan via {CITED_LINK} bij <@U0BOSS>. <!here> <!subteam^S0ALL|@iedereen>")
REPLY = (f"Vraag verlof aan via [het verlofportaal]({CITED_LINK}) [1]. <!channel> <@U0BOSS> @here "
         f"<!everyone> Of klik [hier]({FOREIGN}) of op {FOREIGN}2 en <{FOREIGN}3|dit>.")
RAW = ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0BOSS>", "@here", "@channel", "@everyone",
       "elsewhere.example")


def everything_sent(slack: FakeSlack) -> str:
    recorded = ([{"method": c.method, "params": c.params} for c in slack.calls]
                + [r.body for r in slack.responses] + [a.payload for a in slack.acks])
    return json.dumps(recorded, ensure_ascii=False)


def assert_nothing_raw(sent: str) -> None:
    for raw in RAW:
        assert raw not in sent, f"{raw!r} reached Slack as such"


@pytest.fixture
def hostile_bot(tmp_path, slack):
    generator = ScriptedGenerator(REPLY, piece_delay_s=0.001, piece_chars=5)
    retriever = FixedRetriever([DOCUMENT])
    engine = AnswerEngine(retriever, generator, min_relevance=0.0, cache_size=0, max_tokens=64)
    settings = bot_settings(tmp_path, slack)
    services = Services(settings, engine=engine, generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services) as bot:
            yield bot
    finally:
        generator.close()


def test_mention_dm_and_vraag_send_nothing_raw_and_keep_the_cited_link(hostile_bot):
    bot, slack = hostile_bot, hostile_bot.slack
    event = ask_in_channel(bot, "Hoe vraag ik verlof aan?")
    answer = final_message(bot, CHANNEL, event["ts"])
    assert slack.calls_to("chat.startStream") and slack.calls_to("chat.stopStream")  # it was streamed
    in_dm = slack.user_posts("Hoe vraag ik verlof aan?", user=USER, channel=DM)
    slack.push_event(in_dm)
    final_message(bot, DM, in_dm["ts"])
    _, url = slack.push_command("/vraag", "Hoe vraag ik verlof aan?", user=USER, channel=CHANNEL)
    ephemeral = slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
    bot.parts.replier.wait_until_idle(10)

    assert_nothing_raw(everything_sent(slack))
    # The finished private answer: the cited passage's link stays clickable in its markdown block;
    # the document's and the model's markup is shown as text.
    private = json.dumps(ephemeral.body["blocks"], ensure_ascii=False)
    assert f"[het verlofportaal]({CITED_LINK})" in private
    assert f"@{ZWSP}channel" in private and f"@{ZWSP}U0BOSS" in private and "&lt;!channel&gt;" in private
    # The streamed answer: no link in its text; the link it may keep is listed under it, with the sources.
    footer = json.dumps(answer["blocks"], ensure_ascii=False)
    assert f"<{CITED_LINK}|het verlofportaal>" in footer and "&lt;!channel&gt;" in footer
    streamed = "".join(str(c.params.get("markdown_text") or "") + json.dumps(c.params.get("chunks") or [],
                                                                             ensure_ascii=False)
                       for c in slack.calls if "Stream" in c.method)
    assert "Vraag verlof aan" in streamed and "hier" in streamed
    assert "](" not in streamed  # no Markdown link formed in the stream (none is cited yet)
    assert f"Verlof @{ZWSP}channel" in streamed  # the document's title in the task, neutralised
    assert "het verlofportaal" in answer["text"] and CITED_LINK not in answer["text"]


def test_a_template_result_sends_nothing_raw(tmp_path, slack):
    from bot.templates.filling import TemplateFiller
    from tests.slack.test_restricted_collections import brainstorm
    from tests.templates.builders import ScriptedModel, valid_reply

    def hostile(request):
        output = json.loads(valid_reply(request))
        output["ideeen"][0]["beschrijving"] = f"<!channel> <@U0BOSS> @here {FOREIGN} en {CITED_LINK}"
        output["aanbeveling"] = f"Lees [dit]({FOREIGN}) of <{FOREIGN}|dat>"
        return json.dumps(output)

    model = ScriptedModel(hostile)
    retriever = FixedRetriever([DOCUMENT])
    engine = AnswerEngine(retriever, model, min_relevance=0.0, cache_size=0)
    filler = TemplateFiller(model,
                            retrieve=lambda query, collections=None: engine.retrieve(query, collections=collections))
    settings = bot_settings(tmp_path, slack)
    services = Services(settings, engine=engine, generator=model, template_filler=filler,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services) as bot:
            result = brainstorm(bot, user=USER, channel=CHANNEL)
    finally:
        model.close()
    assert_nothing_raw(everything_sent(slack))
    text = json.dumps(result.params["blocks"], ensure_ascii=False)
    assert f"<@{USER}>" in text  # our own mention of the asker stays
    assert CITED_LINK in text and "&lt;!channel&gt;" in text and "phish" in text  # as text, defanged


@pytest.mark.parametrize("text, expected", [
    ("<!channel> en <!here|here>", f"@{ZWSP}channel en @{ZWSP}here"),
    ("<!subteam^S0HR|@hr-team> let op", f"@{ZWSP}hr-team let op"),
    ("<@U0BOSS> en <@U0ME|ik>", f"@{ZWSP}U0BOSS en <@U0ME|ik>"),
    ("<#C0GEHEIM|geheim>", f"#{ZWSP}geheim"),
    ("@channel @Here e-mail jan@here.nl", f"@{ZWSP}channel @{ZWSP}Here e-mail jan@here.nl"),
    ("<https://elsewhere.example/x|klik> en https://ok.example/a.", "klik en https://ok.example/a."),
    ("zie https://elsewhere.example/x, of www.elsewhere.example", "zie https[:]//elsewhere[.]example/x, of "
                                                                  "www[.]elsewhere[.]example"),
])
def test_neutralise_mrkdwn(text, expected):
    assert neutralise(text, links=["https://ok.example/a"], mentions=["U0ME"]) == expected


def test_neutralise_markdown_text_keeps_only_allowed_links_and_no_slack_markup():
    safe = neutralise(f"[ok](https://ok.example/a) [weg]({FOREIGN}) <@U0ME> <https://ok.example/a>",
                      links=["https://ok.example/a"], mentions=["U0ME"], markdown=True)
    assert safe.startswith("[ok](https://ok.example/a) weg ") and "<" not in safe and "elsewhere" not in safe


def test_vraagbaak_replies_quote_names_without_notifying_anyone(scripted_bot_with):
    bot = scripted_bot_with()
    envelope, response_url = bot.slack.push_command("/vraagbaak", "reindex <!channel> <@U0BOSS>", user=ADMIN,
                                                    channel=CHANNEL)
    bot.slack.wait_for_ack(envelope)
    reply = bot.slack.wait_for_response(response_url).body["text"]
    assert "Onbekende collectie" in reply
    assert_nothing_raw(everything_sent(bot.slack))


# --- domains without a scheme, modals -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("log in op evil.example/login nu", "log in op evil[.]example/login nu"),
    ("of www.evil.example", "of www[.]evil[.]example"),
    ("bel login-bank.com!", "bel login-bank[.]com!"),
    ("kijk op Polderlicht.nl.", "kijk op Polderlicht[.]nl."),
    ("sub.ok.example/a/b", "sub[.]ok[.]example/a/b"),
    ("<https://x.com|x.com>", "x[.]com"),  # a label Slack would link by itself
    ("ok.example/a en https://ok.example/a", "ok.example/a en https://ok.example/a"),  # the cited one stays
    # not domains: left as written
    ("mail jan@bedrijf.nl", "mail jan@bedrijf.nl"),
    ("zie handboek.pdf, config.json en README.md", "zie handboek.pdf, config.json en README.md"),
    ("versie 3.5.1, o.a. d.w.z. bijv. Dhr.Jansen", "versie 3.5.1, o.a. d.w.z. bijv. Dhr.Jansen"),
])
def test_domains_written_without_a_scheme_are_defanged_unless_cited(text, expected):
    assert neutralise(text, links=["https://ok.example/a"]) == expected
    assert neutralise(text, links=["https://ok.example/a"], markdown=True) == expected


HOSTILE_TEMPLATE = '''name = "kwaad"
title = "Kwaad <!channel>"
description = "<!channel> <@U0BOSS> bezoek evil.example/login of <https://elsewhere.example/phish|hier> @here"

[[fields]]
name = "onderwerp"
label = "Onderwerp <!here>"
type = "text"
required = true

[prompt]
system = "Je bent Vraagbaak."
user = "Schrijf over {onderwerp}."

[output]
[output.schema]
type = "object"
required = ["tekst"]
additionalProperties = false
properties.tekst.type = "string"
'''


def mrkdwn_texts(blocks) -> list[str]:
    """Every mrkdwn text in blocks or views: the texts Slack parses for mentions and links."""
    if isinstance(blocks, list):
        return [t for b in blocks for t in mrkdwn_texts(b)]
    if not isinstance(blocks, dict):
        return []
    if blocks.get("type") == "mrkdwn":
        return [blocks["text"]]
    return [t for v in blocks.values() for t in mrkdwn_texts(v)]


def test_modals_send_nothing_raw(tmp_path):
    from bot.slack.ui.templates_modal import Origin, notice_modal, picker_modal, template_modal
    from bot.templates.library import TemplateLibrary

    (tmp_path / "sjablonen").mkdir()
    (tmp_path / "sjablonen" / "kwaad.toml").write_text(HOSTILE_TEMPLATE, encoding="utf-8")
    library = TemplateLibrary.load(tmp_path / "sjablonen")
    template = library.get("kwaad")
    origin = Origin(user=USER, channel=CHANNEL)
    views = [template_modal(template, origin), picker_modal(library, origin),
             notice_modal("Sjabloon", f"Het sjabloon {template.description} bestaat niet meer.")]
    formatted = json.dumps(mrkdwn_texts(views), ensure_ascii=False)  # what Slack parses for markup
    assert_nothing_raw(formatted)
    assert "evil[.]example/login" in formatted and "evil.example/login" not in formatted
    # plain_text (titles, labels) is shown as typed by Slack: no mention or link is formed there
    assert views[0]["title"] == {"type": "plain_text", "text": "Kwaad <!channel>", "emoji": True}


def test_a_template_form_opened_in_slack_sends_nothing_raw(tmp_path, slack):
    from tests.slack.fakes import scripted_engine, slack_generator

    (tmp_path / "sjablonen").mkdir()
    (tmp_path / "sjablonen" / "kwaad.toml").write_text(HOSTILE_TEMPLATE, encoding="utf-8")
    generator = slack_generator()
    settings = bot_settings(tmp_path, slack, templates_dir=tmp_path / "sjablonen")
    services = Services(settings, engine=scripted_engine(generator), generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services):
            envelope, _ = slack.push_command("/vraagbaak", "template kwaad", user=USER, channel=CHANNEL)
            slack.wait_for_ack(envelope)
            opened = slack.wait_for_call("views.open")
    finally:
        generator.close()
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    formatted = json.dumps(mrkdwn_texts(view), ensure_ascii=False)
    assert_nothing_raw(formatted)
    assert "evil[.]example/login" in formatted and "evil.example/login" not in formatted


def test_domains_without_a_scheme_reach_no_entry_point_clickable(tmp_path, slack):
    """The model writes `evil.example/login` and `www.phish.example`, the asker writes one in a /vraag:
    mention (streamed), DM and /vraag (ack, ephemeral answer with the question) all show them defanged.
    A passage's domain without a scheme is no cited link either (Source.links holds the URLs with one)."""
    reply = ("Vraag verlof aan op intranet.example/verlof [1]. Log ook in op evil.example/login "
             "of www.phish.example, of bij login-bank.com.")
    generator = ScriptedGenerator(reply, reply, reply, piece_delay_s=0.001, piece_chars=5)
    document = chunk("hr/verlof.md", "Verlof", "Vraag verlof aan via intranet.example/verlof.")
    engine = AnswerEngine(FixedRetriever([document]), generator, min_relevance=0.0, cache_size=0, max_tokens=64)
    settings = bot_settings(tmp_path, slack)
    services = Services(settings, engine=engine, generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    try:
        with running_bot(slack, services) as bot:
            event = ask_in_channel(bot, "Hoe vraag ik verlof aan?")
            final_message(bot, CHANNEL, event["ts"])
            dm_event = slack.user_posts("Hoe vraag ik verlof aan?", user=USER, channel=DM)
            slack.push_event(dm_event)
            final_message(bot, DM, dm_event["ts"])  # a DM's message starts the answer's thread
            envelope, url = slack.push_command("/vraag", "Verlof via evil.example/login?", user=USER, channel=CHANNEL)
            slack.wait_for_ack(envelope)
            ephemeral = slack.wait_for_response(url, lambda r: bool(r.body.get("blocks")))
            bot.parts.replier.wait_until_idle(10)
    finally:
        generator.close()
    sent = everything_sent(slack)
    for raw in ("evil.example", "www.phish.example", "login-bank.com", "intranet.example"):
        assert raw not in sent, f"{raw!r} reached Slack clickable"
    assert "evil[.]example/login" in json.dumps(ephemeral.body["blocks"], ensure_ascii=False)  # question and answer
