"""`vraagbaak serve`: fails fast in Dutch on missing or refused credentials; otherwise connects,
answers, and stops cleanly; `vraagbaak feedback export` writes JSONL."""

from __future__ import annotations

import json
import threading

import pytest

from bot.cli import main
from bot.insights.feedback import FeedbackStore
from bot.slack.transport.serving import SlackSetupError, serve
from bot.services import Services
from bot.storage.database import Storage
from tests.slack.conftest import CHANNEL, USER, bot_settings
from tests.slack.fakes import scripted_engine, serving, slack_generator


def scripted_services(tmp_path, slack, generator, **overrides) -> Services:
    settings = bot_settings(tmp_path, slack, reindex_cron="", consistency_cron="", **overrides)
    return Services(settings, engine=scripted_engine(generator), generator=generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))


def test_serve_connects_answers_and_stops(tmp_path, slack, scripted_generator):
    services = scripted_services(tmp_path, slack, scripted_generator)
    with serving(services, start_timeout=15, stop_timeout=15):
        slack.wait_for_connection()
        event = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
        slack.push_event(event)
        slack.wait_for_call("chat.stopStream", lambda c: bool(c.params.get("blocks")))


@pytest.mark.parametrize("mode,missing,expected", [
    ("socket", "slack_bot_token", "SLACK_BOT_TOKEN ontbreekt"),
    ("socket", "slack_app_token", "Socket Mode heeft SLACK_APP_TOKEN nodig"),
    ("http", "slack_signing_secret", "HTTP-modus heeft SLACK_SIGNING_SECRET nodig"),
])
def test_missing_credentials_stop_before_anything_loads(tmp_path, slack, mode, missing, expected):
    generator = slack_generator()
    services = scripted_services(tmp_path, slack, generator, **{missing: ""})
    with pytest.raises(SlackSetupError, match=expected):
        serve(services, mode=mode, stop=threading.Event())
    assert not slack.calls
    generator.close()


def test_a_refused_token_is_explained(tmp_path, slack, scripted_generator):
    services = scripted_services(tmp_path, slack, scripted_generator, slack_bot_token="xoxb-ingetrokken")
    with pytest.raises(SlackSetupError, match=r"Slack weigert het bot-token \(invalid_auth\)"):
        serve(services, stop=threading.Event())


def test_cli_serve_without_token_prints_a_dutch_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "VRAAGBAAK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--data-dir", str(tmp_path / "data"), "serve"]) == 1
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN ontbreekt" in err and "Traceback" not in err


def test_cli_feedback_export(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    store = FeedbackStore(Storage().database(data / "feedback.sqlite3"))
    answer_id = store.record_answer(question="Hoeveel dagen?", answer="25", sources=[], user="U1", channel="C1")
    store.vote(answer_id, user="U2", vote="up")
    out = tmp_path / "export" / "feedback.jsonl"
    assert main(["--data-dir", str(data), "feedback", "export", "--output", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["question"], r["vote"], r["user"]) for r in rows] == [("Hoeveel dagen?", "up", "U2")]
    assert "1 regel(s) geëxporteerd" in capsys.readouterr().err
