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
