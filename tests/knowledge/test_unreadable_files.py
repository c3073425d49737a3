"""Nothing lost on a folder of office files: every file is indexed, or named in the report with a Dutch
reason, or counted as a type that is not read; with the real packaged embedder and a real LanceDB."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.index import format_report
from tests.knowledge.conftest import make_indexer, write_docs

pytestmark = pytest.mark.slow

BROKEN = b"Dit is geen kantoorbestand, alleen wat tekst met een verkeerde extensie.\n" * 20


def office_folder(root: Path) -> Path:
    from docx import Document

    write_docs(root, {"hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen per jaar.\n"})
    for name in ("post/kapot.msg", "post/kopie-van-kapot.msg", "oud/kapot.doc", "decks/kapot.pptx",
                 "cijfers/kapot.xlsx", "rapporten/kapot.pdf"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(BROKEN)
    Document().save(root / "hr" / "leeg.docx")
    (root / "foto.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return root


def test_every_unreadable_office_file_is_named_with_a_dutch_reason(tmp_path, embedder):
    docs = office_folder(tmp_path / "docs")
    report = make_indexer(tmp_path, embedder).reindex(docs, collection="bedrijf")

    reasons = {s.path: s.reason for s in report.skipped}
    assert report.added == ["hr/vakantie.md"]
    assert set(reasons) == {"post/kapot.msg", "post/kopie-van-kapot.msg", "oud/kapot.doc", "decks/kapot.pptx",
                            "cijfers/kapot.xlsx", "rapporten/kapot.pdf", "hr/leeg.docx"}
    assert report.not_read == {".png": 1}
    assert reasons["post/kapot.msg"] == reasons["post/kopie-van-kapot.msg"]  # one document, both its paths
    assert "Outlook-bericht" in reasons["post/kapot.msg"]
    assert "PDF" in reasons["rapporten/kapot.pdf"]
    assert reasons["hr/leeg.docx"] == "het bestand bevat geen tekst"
    for path, reason in reasons.items():
        assert reason and "Error" not in reason.split("(")[0], (path, reason)  # Dutch words, not an exception name

    printed = format_report("bedrijf", report)
    for path, reason in reasons.items():
        assert f"overgeslagen: {path} — {reason}" in printed
    assert "niet gelezen (bestandstype niet ondersteund)" in printed and ".png" in printed


def test_the_indexer_logs_one_line_for_a_damaged_pdf_it_reads(tmp_path, embedder, root_log):
    from knowledge.formats.library_logs import LibraryLogs
    from tests.knowledge.formats.pdfs import make_damaged

    docs = tmp_path / "docs"
    docs.mkdir()
    make_damaged(docs / "kapot.pdf")
    indexer = make_indexer(tmp_path, embedder)
    indexer.library_logs = LibraryLogs()
    report = indexer.reindex(docs, collection="bedrijf")
    assert report.added == ["kapot.pdf"]
    assert [r for r in root_log if r.name.startswith(("pypdf", "pdfminer"))] == []
    assert len([r for r in root_log if r.getMessage().startswith("kapot.pdf: ")]) == 1
