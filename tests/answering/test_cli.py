"""`vraagbaak ask` end to end: real index, real embedding model, real GGUF."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from knowledge.chunking import Chunker
from knowledge.indexing import Indexer
from knowledge.store import ChunkStore
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

VERLOF = """# Vakantie

## Hoeveel vakantiedagen heb je?

Bij een volledige werkweek van 40 uur heb je recht op 25 vakantiedagen per jaar.
"""


@pytest.fixture
def data_dir(tmp_path, embedder, monkeypatch):
    docs = tmp_path / "docs" / "hr"
    docs.mkdir(parents=True)
    (docs / "verlof.md").write_text(VERLOF, encoding="utf-8")
    settings = make_settings(tmp_path / "data", sources={"bedrijf": tmp_path / "docs"})
    store = ChunkStore(settings.index_location)
    Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=settings.state_dir).reindex(
        tmp_path / "docs", collection="bedrijf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VRAAGBAAK_MAX_TOKENS", "12")
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    return settings.data_dir


def test_ask_json_prints_answer_sources_abstained_and_timings(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "ask", "Hoeveel vakantiedagen krijg ik per jaar?", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"answer", "sources", "abstained", "curated", "timings"}
    assert result["abstained"] is False and result["answer"] and result["curated"] is None  # the model's own
    assert result["sources"] == [{"path": "hr/verlof.md", "title": "Vakantie",
                                  "heading": "Vakantie > Hoeveel vakantiedagen heb je?"}]
    assert {"retrieve_s", "first_token_s", "total_s", "prompt_tokens", "completion_tokens"} <= set(result["timings"])


def test_ask_streams_then_lists_the_sources(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "ask", "Hoeveel vakantiedagen krijg ik per jaar?"]) == 0
    out = capsys.readouterr().out
    assert "Bronnen:" in out and "[1] Vakantie — Vakantie > Hoeveel vakantiedagen heb je? (hr/verlof.md)" in out


def test_ask_says_so_when_the_documents_do_not_answer(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "ask", "Wie won het WK voetbal in 2010?", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["abstained"] is True
    assert result["answer"].startswith("Dat kan ik niet vinden in de documenten.")


def test_a_missing_model_file_is_a_dutch_error_not_a_traceback(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_LLM_MODEL", str(data_dir / "weg.gguf"))
    assert main(["--data-dir", str(data_dir), "ask", "Hoeveel vakantiedagen krijg ik per jaar?"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("Fout: Het taalmodel") and "vraagbaak models pull" in last and "Traceback" not in err
