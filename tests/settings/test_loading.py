"""Settings are read from a TOML file (per area, or by the flat names of older files), the environment and
overrides, in that order, and every area checks its values when it is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import AREAS, Retrieval, Settings, SettingsError, load_settings, setting_fields

AREA_FILE = """
[retrieval]
top_k = 9
search_mode = "vector"

[llm]
backend = "openai"
server_url = "http://llm:8080/v1"

[documents]
sources = { hr = "/srv/hr" }
"""

# A file written before the settings had areas: the same settings by their flat names.
FLAT_FILE = """
top_k = 9
search_mode = "vector"
llm_backend = "openai"
llm_server_url = "http://llm:8080/v1"
sources = { hr = "/srv/hr" }
"""


@pytest.mark.parametrize("text", [AREA_FILE, FLAT_FILE], ids=["areas", "flat names"])
def test_a_config_file_sets_settings_per_area_or_by_flat_name(tmp_path: Path, text: str):
    path = tmp_path / "vraagbaak.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings(environ={}, config_path=path)
    assert (settings.retrieval.top_k, settings.retrieval.search_mode) == (9, "vector")
    assert (settings.llm.backend, settings.llm.server_url) == ("openai", "http://llm:8080/v1")
    assert settings.documents.sources == {"hr": Path("/srv/hr")}
    assert settings.retrieval.rerank_depth == Retrieval().rerank_depth  # the rest keeps its default


def test_the_environment_beats_the_file_and_overrides_beat_both(tmp_path: Path):
    path = tmp_path / "vraagbaak.toml"
    path.write_text("[retrieval]\ntop_k = 9\nrerank_depth = 30\n", encoding="utf-8")
    environ = {"VRAAGBAAK_TOP_K": "4", "VRAAGBAAK_RERANK_DEPTH": "40"}
    settings = load_settings(environ=environ, config_path=path, retrieval={"rerank_depth": 50})
    assert (settings.retrieval.top_k, settings.retrieval.rerank_depth) == (4, 50)


@pytest.mark.parametrize("text, named", [
    ("[retrieval]\ntop_kk = 9\n", "retrieval.top_kk"),
    ("top_kk = 9\n", "top_kk"),
    ("[retrieval]\nbackend = \"openai\"\n", "retrieval.backend"),  # a field of another area
])
def test_an_unknown_name_in_the_file_is_refused_by_name(tmp_path: Path, text: str, named: str):
    path = tmp_path / "vraagbaak.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=f"onbekende instelling\\(en\\) {named}"):
        load_settings(environ={}, config_path=path)


def test_overrides_name_settings_per_area_or_by_flat_name_and_are_checked():
    settings = Settings()
    assert settings.with_overrides(retrieval={"top_k": 3}).retrieval.top_k == 3
    assert settings.with_overrides(top_k=3, slack_bot_token="xoxb-1").slack.bot_token == "xoxb-1"
    assert settings.with_overrides(top_k=None) == settings  # a CLI flag that was not given
    with pytest.raises(SettingsError, match="RERANK_DEPTH"):
        settings.with_overrides(rerank_depth=0)
    with pytest.raises(SettingsError, match="backend"):
        settings.with_overrides(backend="openai")  # a field name is not a flat name: llm_backend is


def test_an_area_checks_its_values_when_built():
    with pytest.raises(SettingsError, match="VRAAGBAAK_SEARCH_MODE"):
        Retrieval(search_mode="semantic")


def test_every_flat_name_names_one_setting_and_no_area():
    flat = [f.flat_name for f in setting_fields()]
    assert len(flat) == len(set(flat))
    assert not set(flat) & set(AREAS)
