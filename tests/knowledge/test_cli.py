"""`vraagbaak index | search | eval` through bot.cli.main, on a small folder and a tmp data dir."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from knowledge.indexing import Indexer
from tests.knowledge.conftest import write_docs

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path, monkeypatch):
    docs = write_docs(tmp_path / "docs")
    for name in ("VRAAGBAAK_CONFIG", "VRAAGBAAK_INDEX_URI", "VRAAGBAAK_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VRAAGBAAK_SOURCES", f"bedrijf={docs}")
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path


def cli(env, *args: str) -> int:
    return main(["--data-dir", str(env / "data"), *args])


def test_index_search_eval_round_trip(env, capsys):
    assert cli(env, "index") == 0
    out = capsys.readouterr().out
    assert "Collectie 'bedrijf'" in out and "3 toegevoegd" in out and "0 overgeslagen" in out

    assert cli(env, "search", "hoeveel vakantiedagen krijg ik", "-k", "2") == 0
    out = capsys.readouterr().out
    assert out.startswith("1. bedrijf:hr/vakantie.md — Vakantie")
    assert "relevantie" in out and "score" in out

    qa = env / "qa.jsonl"
    items = [{"id": "1", "question": "waar is de fietsenstalling", "sources": ["facilitair/fietsen.txt"],
              "kind": "feit"},
             {"id": "2", "question": "wat kost de lunch", "sources": [], "kind": "onbeantwoordbaar"}]
    qa.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    assert cli(env, "eval", "--qa", str(qa), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["questions"] == 2 and result["answerable"] == 1
    assert set(result["modes"]) == {"hybrid", "vector", "fts"}
    assert set(result["modes"]["hybrid"]) == {"hit@1", "hit@5", "mrr@10", "p50_ms", "p95_ms"}
    assert result["modes"]["fts"]["hit@1"] == 1.0

    assert cli(env, "index") == 0
    assert "3 ongewijzigd" in capsys.readouterr().out


def test_index_a_folder_as_a_named_collection_and_search_only_there(env, capsys):
    extra = env / "wiki"
    extra.mkdir()
    (extra / "koffie.md").write_text("# Koffie\n\nDe koffieautomaat staat op de tweede verdieping.\n", encoding="utf-8")
    assert cli(env, "index", str(extra)) == 0
    assert "Collectie 'wiki'" in capsys.readouterr().out
    assert cli(env, "index", str(extra), "--collection", "kennis", "--full") == 0
    assert "Collectie 'kennis' (volledig opnieuw opgebouwd): 1 toegevoegd" in capsys.readouterr().out
    assert cli(env, "search", "koffieautomaat", "--mode", "fts", "--collection", "kennis") == 0
    out = capsys.readouterr().out
    assert "kennis:koffie.md" in out and "wiki:" not in out


def test_errors_are_dutch_and_exit_non_zero(env, capsys):
    assert cli(env, "index", str(env / "bestaat-niet")) == 1
    assert "bestaat niet" in capsys.readouterr().out

    assert cli(env, "eval", "--qa", str(env / "geen.jsonl")) == 1
    assert "Kan het vragenbestand" in capsys.readouterr().err

    holder = Indexer(None, None, None, lock_dir=env / "data" / "state")
    with holder.lock():
        assert cli(env, "index") == 1
    assert "Er loopt al een herindexering" in capsys.readouterr().err
