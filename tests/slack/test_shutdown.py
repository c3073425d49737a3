"""Stopping `vraagbaak serve` while a template is being made. A job that finishes
within the grace time posts its result; one that does not has its "Ik maak je …" placeholder
replaced by a Dutch message that Vraagbaak was restarted; a form submitted while Vraagbaak stops
is turned down with a message. With the fake Slack, the real app and `serve` itself."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.slack.transport.serving import serve
from bot.slack.ui.templates_modal import Origin, template_modal
from bot.slack.features.template_jobs import TemplateJob, TemplateJobs
from bot.storage.database import Storage
from bot.templates.filling import TemplateFiller
from bot.templates.library import TemplateLibrary
from tests.fakes.slack import FakeSlack, payloads
from tests.slack.conftest import CHANNEL, USER, bot_settings
from tests.slack.fakes import scripted_engine, slack_generator
from tests.templates.builders import ScriptedModel, write_template

PLACEHOLDER = "Ik maak je weekstart"
RESTARTED = "Vraagbaak werd herstart voordat je weekstart klaar was; probeer het opnieuw"


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    model = ScriptedModel()
    model.hold()  # the template waits for the model until the test says
    yield model
    model.release()
    model.close()


@contextlib.contextmanager
def serving(tmp_path: Path, slack: FakeSlack, model: ScriptedModel, *, grace_s: float) -> Iterator[threading.Event]:
    """`vraagbaak serve` in a thread; set the event it yields to stop it (it must stop in time)."""
    write_template(tmp_path / "sjablonen", "weekstart")
    settings = bot_settings(tmp_path, slack, templates_dir=tmp_path / "sjablonen", reindex_cron="",
                            consistency_cron="")
    generator = slack_generator()
    services = Services(settings, engine=scripted_engine(generator), generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)),
                        template_filler=TemplateFiller(model))
    stop, ready, errors = threading.Event(), threading.Event(), []

    def run() -> None:
        try:
            serve(services, stop=stop, ready=ready, shutdown_grace_s=grace_s)
        except BaseException as exc:  # reported below
            errors.append(exc)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert ready.wait(30), errors
        slack.wait_for_connection()
        yield stop
    finally:
        stop.set()
        thread.join(grace_s + 30)
        generator.close()
    assert not thread.is_alive() and not errors


def submit_weekstart(slack: FakeSlack, tmp_path: Path) -> dict:
    """Fills in the weekstart form as a user does; returns the placeholder's chat.postMessage."""
    template = TemplateLibrary(tmp_path / "sjablonen").get("weekstart")
    view = template_modal(template, Origin(user=USER, channel=CHANNEL, template="weekstart"))
    state = {"thema": {"value": {"type": "plain_text_input", "value": "samen lunchen"}}}
    slack.wait_for_ack(slack.push_interactive(payloads.view_submission(view, state, user=USER)))
    return slack.wait_for_call("chat.postMessage", lambda c: PLACEHOLDER in str(c.params.get("text"))).response


def test_a_template_still_running_at_shutdown_says_so(tmp_path, slack, model):
    with serving(tmp_path, slack, model, grace_s=0.5) as stop:
        placeholder = submit_weekstart(slack, tmp_path)
        model.wait_for_requests(1)
        stop.set()
        told = slack.wait_for_call("chat.update", lambda c: c.params.get("ts") == placeholder["ts"], timeout=30)
    assert RESTARTED in told.params["text"] and told.params["channel"] == CHANNEL
    job = next(t for t in threading.enumerate() if t.name == "template-weekstart")
    model.release()  # the job's thread finishes after all: it must not overwrite the message
    job.join(30)
    assert not job.is_alive() and model.generations[0].done()
    assert RESTARTED in slack.workspace.find_message(CHANNEL, placeholder["ts"])["text"]


def test_a_template_that_finishes_within_the_grace_time_is_posted(tmp_path, slack, model):
    with serving(tmp_path, slack, model, grace_s=30) as stop:
        placeholder = submit_weekstart(slack, tmp_path)
        model.wait_for_requests(1)
        stop.set()
        model.release()
        result = slack.wait_for_call("chat.update", lambda c: c.params.get("ts") == placeholder["ts"], timeout=30)
    assert result.params["blocks"] and RESTARTED not in result.params["text"]
    assert len(slack.calls_to("chat.update", lambda c: c.params.get("ts") == placeholder["ts"])) == 1


def test_a_form_submitted_while_stopping_is_turned_down(tmp_path, slack):
    write_template(tmp_path / "sjablonen", "weekstart")
    template = TemplateLibrary(tmp_path / "sjablonen").get("weekstart")
    jobs = TemplateJobs()
    assert jobs.close(0) == 0
    client = WebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    job = TemplateJob(template, {"thema": "x"}, user=USER, channel=CHANNEL)
    assert jobs.start(client, job, lambda running: pytest.fail("a refused job ran")) is None
    refused = slack.wait_for_call("chat.postMessage").params
    assert refused["channel"] == CHANNEL
    assert "Vraagbaak wordt net herstart, dus je weekstart kan ik nu niet maken" in refused["text"]
