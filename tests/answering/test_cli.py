"""`vraagbaak ask` end to end: real index, real embedding model, real GGUF."""

from __future__ import annotations

import io
import json
import sys
import threading

import pytest

from bot.cli import build_parser, main
from bot.services import Services
from knowledge.chunking import Chunker
from knowledge.indexing import Indexer
from knowledge.index.store import ChunkStore
from tests.conftest import make_settings
from tests.generators import ScriptedGenerator

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
    store = ChunkStore(settings.folders.index_location)
    Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=settings.folders.state_dir).reindex(
        tmp_path / "docs", collection="bedrijf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VRAAGBAAK_MAX_TOKENS", "12")
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    return settings.folders.data_dir


def test_ask_json_prints_answer_sources_abstained_and_timings(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "ask", "Hoeveel vakantiedagen krijg ik per jaar?", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"answer", "sources", "abstained", "curated", "preview", "timings"}
    assert result["abstained"] is False and result["answer"] and result["curated"] is None  # the model's own
    assert result["preview"] == {"text": "Bij een volledige werkweek van 40 uur heb je recht op 25 vakantiedagen "
                                         "per jaar.",
                                 "path": "hr/verlof.md", "title": "Vakantie",
                                 "heading": "Vakantie > Hoeveel vakantiedagen heb je?"}
    assert result["sources"] == [{"path": "hr/verlof.md", "title": "Vakantie",
                                  "heading": "Vakantie > Hoeveel vakantiedagen heb je?", "page": None, "copies": []}]
    assert {"retrieve_s", "first_token_s", "total_s", "prompt_tokens", "completion_tokens"} <= set(result["timings"])


def test_ask_streams_then_lists_the_sources(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "ask", "Hoeveel vakantiedagen krijg ik per jaar?"]) == 0
    out = capsys.readouterr().out
    assert "Bronnen:" in out and "[1] Vakantie — Vakantie > Hoeveel vakantiedagen heb je? (hr/verlof.md)" in out


def test_a_source_line_names_the_page_and_the_other_paths_of_the_document():
    from bot.answering.types import Source
    from bot.commands.ask import source_line

    source = Source("Jaarverslag", "verslag.pdf", heading="Jaarverslag > Reiskosten", page=11,
                    copies=("archief/verslag.pdf",))
    assert source_line(source) == ("Jaarverslag — Jaarverslag > Reiskosten, p. 11 "
                                   "(verslag.pdf; ook in archief/verslag.pdf)")
    linked = Source("Jaarverslag", "verslag.pdf", page=4, url="https://intranet.example.nl/verslag.pdf")
    assert source_line(linked) == "Jaarverslag, p. 4 (https://intranet.example.nl/verslag.pdf#page=4)"


def test_ask_says_so_when_the_documents_do_not_answer(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "ask", "Wie won het WK voetbal in 2010?", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["abstained"] is True and result["preview"] is None
    assert result["answer"].startswith("Dat kan ik niet vinden in de documenten.")


class _Screen(io.StringIO):
    """stdout as the user sees it; `quoted` is set once the preview line is out."""

    def __init__(self) -> None:
        super().__init__()
        self.quoted = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if "”" in self.getvalue():
            self.quoted.set()
        return written


def test_ask_prints_the_preview_before_the_model_writes_its_first_word(data_dir, embedder, monkeypatch):
    settings = make_settings(data_dir)
    scripted = ScriptedGenerator("Je hebt 25 vakantiedagen per jaar [1].")
    scripted.hold()  # the model does not start: its first token waits until release()
    services = Services(settings, embedder=embedder, generator=scripted)
    screen = _Screen()
    monkeypatch.setattr(sys, "stdout", screen)
    args = build_parser().parse_args(["ask", "Hoeveel vakantiedagen krijg ik per jaar?"])
    asking = threading.Thread(target=args.func, args=(args, services))
    asking.start()
    try:
        assert screen.quoted.wait(30), "the preview is printed while the model has not started"
        assert screen.getvalue() == ("Uit Vakantie — Hoeveel vakantiedagen heb je?: “Bij een volledige werkweek van "
                                     "40 uur heb je recht op 25 vakantiedagen per jaar.”\n\n")
        assert scripted.generations and not scripted.generations[0].done()
    finally:
        scripted.release()
        asking.join(30)
        services.close()
    shown = screen.getvalue()
    assert shown.index("”\n\nJe hebt 25 vakantiedagen per jaar [1].") > 0 and "Bronnen:" in shown


def test_a_missing_model_file_is_a_dutch_error_not_a_traceback(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_LLM_MODEL", str(data_dir / "weg.gguf"))
    assert main(["--data-dir", str(data_dir), "ask", "Hoeveel vakantiedagen krijg ik per jaar?"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("Fout: Het taalmodel") and "vraagbaak models pull" in last and "Traceback" not in err
