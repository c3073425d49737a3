"""PDFs read as people read them, on files written by fpdf2 (tests/knowledge/formats/pdfs.py): tables,
running headers and footers, hyphens, columns, slides, scanned pages, page numbers, quiet logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from knowledge.chunking import Chunker
from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits
from knowledge.formats import ocr
from knowledge.formats.library_logs import LibraryLogs
from knowledge.loaders import load_document
from tests.knowledge.formats.pdfs import (LEFT_COLUMN, RIGHT_COLUMN, SLIDES, make_damaged, make_report, make_scan,
                                          make_slides)
from tests.knowledge.formats.programs import needs_tesseract


def words(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text))


def _load(path: Path, limits: FileLimits = FileLimits()):
    return load_document(path, path.parent, collection="c", limits=limits)


def test_a_ruled_table_keeps_its_header_with_every_row(tmp_path):
    text = _load(make_report(tmp_path / "verslag.pdf")).text
    assert "Vervoer: Fiets; Vergoeding per km: 0,10 euro; Geldt voor: Woon-werkverkeer" in text


def test_running_header_footer_and_page_numbers_are_dropped(tmp_path):
    text = _load(make_report(tmp_path / "verslag.pdf")).text
    assert "Jaarverslag 2025" not in text
    assert "Pagina" not in text and "van 3" not in text


def test_a_word_hyphenated_at_a_line_end_is_whole_again(tmp_path):
    text = _load(make_report(tmp_path / "verslag.pdf")).text
    assert "krijgt een reiskostenvergoeding per kilometer" in text


def test_two_columns_are_read_one_after_the_other(tmp_path):
    text = _load(make_report(tmp_path / "verslag.pdf")).text
    left, right = " ".join(LEFT_COLUMN.split()), " ".join(RIGHT_COLUMN.split())
    assert left in text and right in text
    assert text.index(left) < text.index(right)


def test_headings_come_from_larger_fonts_and_every_page_is_marked(tmp_path):
    doc = _load(make_report(tmp_path / "verslag.pdf"))
    assert doc.title == "Reiskosten en vergoedingen"
    assert "## Thuiswerken" in doc.text
    marks = re.findall(r"^<!-- page (\d+) -->$", doc.text, re.MULTILINE)
    assert marks == ["1", "2", "3"]


def test_chunks_know_the_page_they_begin_on(tmp_path):
    chunks = Chunker(words, max_tokens=60, overlap_tokens=0).split(_load(make_report(tmp_path / "verslag.pdf")))
    pages = {c.page for c in chunks if "bureaustoel" in c.text}
    assert pages == {3}
    assert {c.page for c in chunks if "fietsenstalling" in c.text} == {2}
    assert all("<!--" not in c.text for c in chunks)


def test_a_slide_deck_printed_to_pdf_is_a_passage_per_slide_with_its_title(tmp_path):
    doc = _load(make_slides(tmp_path / "introductie.pdf"))
    chunks = Chunker(words, max_tokens=200, overlap_tokens=0).split(doc)
    assert [(c.headings[-1], c.page) for c in chunks] == [(title, n) for n, (title, _) in enumerate(SLIDES, 1)]
    assert "Vrijdag is er soep" in chunks[2].text


def test_many_repairs_of_a_damaged_file_are_one_log_line(tmp_path, root_log):
    with LibraryLogs().reading("kapot.pdf"):
        doc = _load(make_damaged(tmp_path / "kapot.pdf"))
    assert "Pagina 12 gaat over verlof" in doc.text
    library = [r for r in root_log if r.name.startswith(("pypdf", "pdfminer", "pdfplumber"))]
    mine = [r for r in root_log if "kapot.pdf" in r.getMessage()]
    assert library == [] and len(mine) == 1
    assert re.search(r"kapot\.pdf: \d{2,} warning\(s\) from pypdf", mine[0].getMessage())


def test_library_warnings_outside_reading_a_file_still_reach_the_log(tmp_path, root_log):
    with LibraryLogs().reading("kapot.pdf"):
        _load(make_damaged(tmp_path / "kapot.pdf"))
    logging.getLogger("pypdf._reader").warning("buiten het lezen")
    assert [r.getMessage() for r in root_log if r.name.startswith("pypdf")] == ["buiten het lezen"]


def test_a_second_library_logs_uses_the_same_gate_so_nothing_slips_through(tmp_path, root_log):
    first, second = LibraryLogs(), LibraryLogs()
    with second.reading("kapot.pdf"):
        _load(make_damaged(tmp_path / "kapot.pdf"))
    assert [r for r in root_log if r.name.startswith("pypdf")] == []
    assert len([r for r in root_log if "kapot.pdf" in r.getMessage()]) == 1
    gates = [h for h in logging.getLogger("pypdf").handlers if type(h).__name__ == "_Gate"]
    assert len(gates) == 1 and first._gate is second._gate


def test_without_library_logs_the_warnings_pass_as_they_are(tmp_path, root_log):
    _load(make_damaged(tmp_path / "kapot.pdf"))
    assert len([r for r in root_log if r.name.startswith("pypdf")]) >= 10


# --- scanned pages ---------------------------------------------------------------------------------------------

@pytest.mark.slow  # Tesseract reads a page in a few seconds
@needs_tesseract
def test_a_scanned_page_is_read_by_ocr_in_dutch(tmp_path):
    doc = _load(make_scan(tmp_path / "verslag-or.pdf"))
    text = doc.text.lower()
    assert "kantine" in text and "vrijdag" in text and "rooster" in text
    assert doc.problems == ()


@needs_tesseract
def test_scanned_pages_past_the_time_budget_are_named_unread(tmp_path):
    path = make_scan(tmp_path / "verslag-or.pdf", text_page_before=True)
    doc = _load(path, FileLimits(ocr_seconds=1e-6))
    assert "agenda van de vergadering" in doc.text
    assert doc.problems == ("pagina 2 is gescand en niet gelezen: de tijd voor tekstherkenning (OCR) van "
                            "1e-06 s per bestand was op (instelling ocr_seconds_per_file)",)


def test_a_file_of_only_unread_scans_is_skipped_with_the_reason(tmp_path):
    with pytest.raises(DocumentError, match="pagina 1 is gescand en niet gelezen: tekstherkenning .OCR. staat uit"):
        _load(make_scan(tmp_path / "scan.pdf"), FileLimits(ocr_seconds=0))


def test_without_tesseract_the_reason_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    ocr.missing_ocr.cache_clear()
    try:
        with pytest.raises(DocumentError, match="tesseract ontbreekt .installeer de Debian-pakketten tesseract-ocr"):
            _load(make_scan(tmp_path / "scan.pdf"))
    finally:
        ocr.missing_ocr.cache_clear()
