"""A file a reader trips over is skipped with its reason; the run and the other files go on."""

from __future__ import annotations

from pathlib import Path

import pytest

import knowledge.formats as formats
from knowledge.errors import DocumentError
from knowledge.loaders import load_document


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_images_with_an_empty_or_single_quoted_alt_text_are_read(tmp_path):
    path = _write(tmp_path / "nieuws.md", '# Nieuwsbrief\n\n<img src="logo.png" alt=""> Welkom bij de club.\n\n'
                                          "<img alt='Kaart van het terrein' src=kaart.png>\n")
    doc = load_document(path, tmp_path, collection="c")
    assert "Welkom bij de club." in doc.text and "Kaart van het terrein" in doc.text and "<img" not in doc.text


def test_a_fault_inside_a_reader_becomes_the_files_reason(tmp_path, monkeypatch, caplog):
    def broken(data: bytes):
        raise TypeError("can only concatenate str (not \"NoneType\") to str")

    monkeypatch.setitem(formats._READERS, ".txt", broken)
    path = _write(tmp_path / "notities.txt", "tekst")
    with pytest.raises(DocumentError, match="interne fout: TypeError"):
        load_document(path, tmp_path, collection="c")
    assert any(r.exc_info and r.exc_info[0] is TypeError for r in caplog.records)  # the details, for the admin


@pytest.mark.slow
def test_a_reader_fault_skips_that_file_and_the_rest_is_indexed(tmp_path, embedder, monkeypatch):
    from tests.knowledge.conftest import make_indexer

    def broken(data: bytes):
        raise TypeError("a bug in a reader")

    monkeypatch.setitem(formats._READERS, ".txt", broken)
    docs = tmp_path / "docs"
    _write(docs / "notities.txt", "tekst")
    _write(docs / "hr" / "lunch.md", "# Lunch\n\nDe lunch staat om half een klaar.\n")
    report = make_indexer(tmp_path, embedder).reindex(docs, collection="bedrijf")
    assert report.added == ["hr/lunch.md"]
    assert [(s.path, "interne fout: TypeError" in s.reason) for s in report.skipped] == [("notities.txt", True)]
