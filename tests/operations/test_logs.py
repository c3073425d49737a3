"""Logs: plain text by default, one JSON object a line with VRAAGBAAK_LOG_JSON."""

from __future__ import annotations

import json
import logging

import pytest

from bot.operations.logs import configure_logging
from tests.conftest import make_settings


def test_json_lines(tmp_path, capsys):
    configure_logging(make_settings(tmp_path, log_json=True))
    log = logging.getLogger("bot.test")
    log.info("vraag beantwoord in %.1f s", 2.5)
    try:
        raise ValueError("kapot")
    except ValueError:
        log.exception("mislukt")
    logging.getLogger("lancedb").info("noisy library detail")  # quieted to WARNING
    for client in ("httpx2", "msal.application", "httpx"):  # the sources' HTTP clients: URLs with tokens
        logging.getLogger(client).info("HTTP Request: GET https://contoso.sharepoint.com/download?tempauth=x")
    lines = capsys.readouterr().err.strip().splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 2
    assert entries[0]["level"] == "INFO" and entries[0]["logger"] == "bot.test"
    assert entries[0]["message"] == "vraag beantwoord in 2.5 s" and entries[0]["time"].endswith("Z")
    assert entries[1]["level"] == "ERROR" and "ValueError: kapot" in entries[1]["exception"]


def test_plain_text_by_default_and_level_from_settings(tmp_path, capsys):
    configure_logging(make_settings(tmp_path, log_level="WARNING"))
    logging.getLogger("bot.test").info("niet zichtbaar")
    logging.getLogger("bot.test").warning("wel zichtbaar")
    err = capsys.readouterr().err
    assert "niet zichtbaar" not in err and "WARNING bot.test: wel zichtbaar" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.strip())


def test_logs_follow_the_current_stderr(tmp_path, monkeypatch):
    """A CLI run inside a test must not leave the root logger writing to a closed stream."""
    import io
    import sys

    configure_logging(make_settings(tmp_path))
    closed = io.StringIO()
    monkeypatch.setattr(sys, "stderr", closed)
    closed.close()
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    logging.getLogger("bot.test").warning("naar de huidige stderr")
    assert "naar de huidige stderr" in now.getvalue()


# --- no Slack user id, no question text ----------------------------------------------------------------

from tests.slack.conftest import (CHANNEL, USER, scripted_bot, scripted_bot_with, scripted_generator,  # noqa: E402,F401
                                  slack)

QUESTION = "Hoeveel vakantiedagen heb ik als parttimer met een zorgtaak?"


def test_an_answer_through_slack_logs_no_user_id_and_no_question_at_info(scripted_bot, capsys):
    from bot.people.pseudonyms import pseudonymizer_for
    from tests.slack.test_answer_flow import ask_in_channel, final_message

    settings = scripted_bot.services.settings
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(settings)  # as `vraagbaak serve` does
    try:
        event = ask_in_channel(scripted_bot, QUESTION)
        final_message(scripted_bot, CHANNEL, event["ts"])
        scripted_bot.parts.replier.wait_until_idle(10)
        logging.getLogger("bot.test").info("done")  # the last line: everything before it is written
    finally:  # before the bot stops: the SDK's Socket Mode close logs an error of its own
        root.handlers[:] = handlers
        root.setLevel(level)

    err = capsys.readouterr().err
    answered = [line for line in err.splitlines() if "answered" in line]
    assert answered, err  # the line that used to carry the raw id is there...
    assert USER not in err and QUESTION not in err and "vakantiedagen" not in err
    pseudonym = pseudonymizer_for(enabled=True, key="", key_path=settings.folders.pseudonym_key_path).stored_id(USER)
    assert pseudonym in answered[0]  # ...with the feedback store's pseudonym, so it can still be followed


@pytest.mark.parametrize("message, expected", [
    ("answered U0ALICE in C0ALGEMEEN", "answered {U0ALICE} in C0ALGEMEEN"),
    ("refused for W012ABCDEF (not an admin)", "refused for {W012ABCDEF} (not an admin)"),
    ("UNKNOWN USERS and UTF8 stay", "UNKNOWN USERS and UTF8 stay"),  # words, not ids (UTF8 is too short)
])
def test_user_ids_in_any_log_line_become_pseudonyms(tmp_path, capsys, message, expected):
    from bot.people.pseudonyms import pseudonymizer_for

    settings = make_settings(tmp_path)
    configure_logging(settings)
    logging.getLogger("bot.test").info("%s", message)
    pseudonyms = pseudonymizer_for(enabled=True, key="", key_path=settings.folders.pseudonym_key_path)
    wanted = expected.format(**{u: pseudonyms.stored_id(u) for u in ("U0ALICE", "W012ABCDEF")})
    assert [line.split("bot.test: ", 1)[1] for line in capsys.readouterr().err.splitlines()
            if "bot.test: " in line] == [wanted]


def test_with_pseudonymisation_switched_off_ids_stay(tmp_path, capsys):
    configure_logging(make_settings(tmp_path, pseudonymise_users=False))
    logging.getLogger("bot.test").info("answered %s", "U0ALICE")
    assert capsys.readouterr().err.rstrip().endswith("answered U0ALICE")
    assert not (tmp_path / "pseudonym.key").exists()  # no key made for nothing
