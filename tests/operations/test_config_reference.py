"""The configuration reference (docs/configuration.md) and deploy/.env.example are generated from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.operations.config_reference import (
    REFERENCE_PAGE,
    reference_block,
    render_env_example,
    render_markdown,
    render_text,
    replace_reference_block,
    setting_rows,
)
from bot.settings import Settings, load_settings, setting_fields

REPO = Path(__file__).resolve().parents[2]
REGENERATE = "regenerate with: .venv/bin/python -m bot.operations.config_reference --write"


def test_configuration_page_matches_the_settings_module():
    assert REFERENCE_PAGE == REPO / "docs" / "configuration.md"
    page = REFERENCE_PAGE.read_text(encoding="utf-8")
    assert reference_block(page) == render_markdown(), REGENERATE


def test_env_example_matches_the_settings_module():
    text = (REPO / "deploy" / ".env.example").read_text(encoding="utf-8")
    assert text == render_env_example(), REGENERATE


def test_every_setting_is_documented_with_its_env_var():
    markdown, env_example, plain = render_markdown(), render_env_example(), render_text()
    for f in setting_fields():
        assert f"`{f.name}`" in markdown and f"`{f.env}`" in markdown and f"`[{f.area}]`" in markdown
        assert f"{f.env}=" in env_example
        assert f"({f.env})" in plain
        assert f.help.split(".")[0][:30] in plain


def test_env_example_defaults_load_back_as_the_defaults():
    """Uncommenting every line of .env.example changes nothing: the example values are the defaults."""
    environ = {}
    for line in render_env_example().splitlines():
        line = line.removeprefix("# ")
        env, sep, value = line.partition("=")
        if sep and env.replace("_", "").isupper() and " " not in env:
            environ[env] = value
    assert {row.env for row in setting_rows()} == set(environ)
    assert load_settings(environ=environ, config_path=None) == Settings()


def test_secrets_never_show_a_value(tmp_path: Path):
    secret_env = {row.env for row in setting_rows() if row.secret}
    assert {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} <= secret_env
    settings = load_settings(environ={"SLACK_BOT_TOKEN": "xoxb-very-secret-1234"}, config_path=None)
    shown = render_text(settings)
    assert "xoxb-very-secret-1234" not in shown
    assert "(ingesteld / set)" in shown


def test_config_cli_current_masks_secrets(monkeypatch, capsys, tmp_path: Path):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "sssh-signing-secret")
    monkeypatch.setenv("VRAAGBAAK_TOP_K", "9")
    monkeypatch.chdir(tmp_path)
    assert main(["config", "--current"]) == 0
    out = capsys.readouterr().out
    assert "sssh-signing-secret" not in out
    assert "nu / current: 9" in out


@pytest.mark.parametrize("flag,expected", [("--markdown", render_markdown), ("--env-example", render_env_example)])
def test_config_cli_prints_the_generated_text(flag, expected, capsys, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["config", flag]) == 0
    assert capsys.readouterr().out == expected()


def test_replacing_the_block_keeps_the_rest_of_the_page():
    page = "# T\n\nintro\n<!-- config:start -->\nold\n<!-- config:end -->\n\nafter\n"
    new = replace_reference_block(page, "NEW\n")
    assert new == "# T\n\nintro\n<!-- config:start -->\nNEW\n<!-- config:end -->\n\nafter\n"
    assert reference_block(new) == "NEW\n"
