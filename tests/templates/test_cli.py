"""`vraagbaak templates` and `vraagbaak template NAAM`: listing with file errors, Dutch errors with a
non-zero exit for bad input, and the --json shape from a real generation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.templates.builders import write_template

NOTES = """Teamoverleg facilitair.
- Koffieautomaat kapot: Ahmed belt de leverancier, uiterlijk vrijdag.
- Lisa schrijft voor eind van de maand een bericht over de parkeerregels."""


@pytest.fixture
def environment(tmp_path: Path, monkeypatch) -> Path:
    """A clean working folder and environment: no config file, data and models in tmp_path."""
    monkeypatch.chdir(tmp_path)
    for name in ("VRAAGBAAK_CONFIG", "VRAAGBAAK_TEMPLATES_DIR", "VRAAGBAAK_LLM_MODEL", "VRAAGBAAK_LLM_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VRAAGBAAK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path


def test_templates_lists_every_template_and_names_broken_files(environment, monkeypatch, capsys):
    write_template(environment / "sjablonen", "weekstart")
    write_template(environment / "sjablonen", "kapot", "title = 'Kapot'\ndescription = 'x'\n[[fields]]\nname = 'a'\n")
    monkeypatch.setenv("VRAAGBAAK_TEMPLATES_DIR", str(environment / "sjablonen"))
    assert main(["templates"]) == 1, "a broken file makes the listing fail, for scripts and CI"
    out = capsys.readouterr().out
    for name in ("actiepunten", "brainstorm", "nieuwsbericht", "samenvatting", "weekstart"):
        assert f"\n{name} " in "\n" + out
    assert "--field aantal=…  Aantal ideeën (getal, optioneel, 1 tot en met 10, standaard 5)" in out
    assert f"{environment / 'sjablonen' / 'kapot.toml'}: fields.a.label: ontbreekt" in out


@pytest.mark.parametrize("argv,message", [
    (["template", "kerst"], "Fout: Onbekend sjabloon 'kerst'. Beschikbaar: actiepunten, brainstorm"),
    (["template", "brainstorm", "--field", "onderwerp=papier"], "  - doel (Doel): Vul dit veld in."),
    (["template", "brainstorm", "--field", "onderwerp=x", "--field", "doel=y", "--field", "aantal=veel"],
     "  - aantal (Aantal ideeën): Vul een geheel getal in."),
    (["template", "brainstorm", "--field", "onderwerp"], "Fout: --field 'onderwerp' heeft niet de vorm veld=waarde."),
    (["template", "samenvatting", "--field", "tekst=@bestaat-niet.txt"], "Fout: Kan bestaat-niet.txt niet lezen"),
])
def test_bad_input_is_a_dutch_error_with_a_non_zero_exit(environment, capsys, argv, message):
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err and captured.out == ""


@pytest.mark.slow
def test_template_json_prints_template_output_and_sources(environment, capsys):
    (environment / "notities.txt").write_text(NOTES, encoding="utf-8")
    argv = ["template", "actiepunten", "--field", "notulen=@notities.txt", "--field", "vergadering=teamoverleg",
            "--json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"template", "output", "sources"}
    assert printed["template"] == "actiepunten" and printed["sources"] == []
    items = printed["output"]["actiepunten"]
    assert 1 <= len(items) <= 10
    assert all(set(item) == {"actie", "eigenaar", "deadline"} and all(isinstance(v, str) for v in item.values())
               for item in items)
