"""Every document gets a day: from its own metadata where its format keeps one (written by the
format's own library here), else from a day in its file or version folder name, else from the
file's modification time; and which of these it was."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from knowledge.loaders import load_document
from knowledge.versions import date_in_name

SAVED = datetime(2024, 3, 5, 10, 30)
CREATED = datetime(2021, 6, 1, 8, 0)
LONG_AGO = datetime(2019, 11, 20, 12, 0, tzinfo=timezone.utc).timestamp()  # the files' mtime


def _load(path: Path):
    os.utime(path, (LONG_AGO, LONG_AGO))  # the metadata must win over the file's own time
    return load_document(path, path.parent, collection="c")


def test_word_core_properties_last_saved(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("De aanvraag moet uiterlijk 1 maart binnen zijn.")
    document.core_properties.modified = SAVED
    document.core_properties.created = CREATED
    document.save(tmp_path / "regeling.docx")
    doc = _load(tmp_path / "regeling.docx")
    assert (doc.dated, doc.dated_by) == ("2024-03-05", "document")


def test_powerpoint_core_properties(tmp_path):
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Planning"
    slide.placeholders[1].text = "Oplevering in week 12."
    deck.core_properties.modified = SAVED
    deck.save(tmp_path / "planning.pptx")
    assert (_load(tmp_path / "planning.pptx").dated, _load(tmp_path / "planning.pptx").dated_by) == (
        "2024-03-05", "document")


def _with_core_modified(data: bytes, moment: str) -> bytes:
    """The workbook as Excel saves it: openpyxl stamps `modified` with the time of saving."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + moment.encode(), content)
            target.writestr(item, content)
    return out.getvalue()


def test_excel_core_properties(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Termijn", "Datum"])
    workbook.active.append(["Aanvraag", "1 maart"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (tmp_path / "termijnen.xlsx").write_bytes(_with_core_modified(buffer.getvalue(), "2024-03-05T10:30:00Z"))
    assert (_load(tmp_path / "termijnen.xlsx").dated, _load(tmp_path / "termijnen.xlsx").dated_by) == (
        "2024-03-05", "document")


def test_opendocument_meta(tmp_path):
    from odfdo import Document, Paragraph

    document = Document("text")
    document.body.clear()
    document.body.append(Paragraph("De aanvraag moet uiterlijk 1 maart binnen zijn."))
    document.meta.set_modification_date(SAVED)
    document.save(tmp_path / "regeling.odt")
    assert _load(tmp_path / "regeling.odt").dated == "2024-03-05"


def test_pdf_info_dates(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="De aanvraag moet uiterlijk 1 maart binnen zijn.")
    pdf.set_creation_date(SAVED)  # fpdf2 writes CreationDate only: the reader falls back to it
    pdf.output(str(tmp_path / "regeling.pdf"))
    doc = _load(tmp_path / "regeling.pdf")
    assert (doc.dated, doc.dated_by) == ("2024-03-05", "document")


def test_email_date_header(tmp_path):
    (tmp_path / "termijn.eml").write_bytes(
        b"From: hr@polderlicht.nl\r\nTo: iedereen@polderlicht.nl\r\nSubject: Nieuwe termijn\r\n"
        b"Date: Tue, 05 Mar 2024 10:30:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"De aanvraag moet uiterlijk 1 maart binnen zijn.\r\n")
    assert (_load(tmp_path / "termijn.eml").dated, _load(tmp_path / "termijn.eml").dated_by) == (
        "2024-03-05", "document")


def test_outlook_message_sent_date(tmp_path):
    from tests.knowledge.formats.test_mail_formats import make_msg

    path = make_msg(tmp_path / "termijn.msg", subject="Nieuwe termijn", text_body="Uiterlijk 1 maart.",
                    sender=("hr@polderlicht.nl", "HR"), to=[("iedereen@polderlicht.nl", "Iedereen")], sent=SAVED)
    assert _load(path).dated == "2024-03-05"


@pytest.mark.parametrize("front, expected", [
    ("date: 2024-03-05", "2024-03-05"),
    ("date: \"2024-03-05T10:30:00+01:00\"", "2024-03-05"),
    ("date: 2021-06-01\nlastmod: 2024-03-05", "2024-03-05"),  # the last change counts
])
def test_markdown_front_matter(tmp_path, front, expected):
    (tmp_path / "regeling.md").write_text(f"---\ntitle: Regeling\n{front}\n---\n\nUiterlijk 1 maart.\n",
                                          encoding="utf-8")
    doc = _load(tmp_path / "regeling.md")
    assert (doc.dated, doc.dated_by) == (expected, "document")


def test_a_version_folder_dates_a_file_without_metadata(tmp_path):
    folder = tmp_path / "Akte van levering" / "20250101000007"
    folder.mkdir(parents=True)
    (folder / "Releasenotes Akte van Levering.md").write_text("# Releasenotes\n\nNieuw model.\n", encoding="utf-8")
    os.utime(folder / "Releasenotes Akte van Levering.md", (LONG_AGO, LONG_AGO))
    doc = load_document(folder / "Releasenotes Akte van Levering.md", tmp_path, collection="c")
    assert (doc.dated, doc.dated_by) == ("2025-01-01", "name")


def test_without_metadata_or_name_the_modification_time(tmp_path):
    (tmp_path / "notities.txt").write_text("Uiterlijk 1 maart.\n", encoding="utf-8")
    doc = _load(tmp_path / "notities.txt")
    assert (doc.dated, doc.dated_by) == ("2019-11-20", "modified")


@pytest.mark.parametrize("doc_id, expected", [
    ("Hypotheek SNS/20250601000013/Modeldocument SNS v4.0.docx", date(2025, 6, 1)),
    ("notulen/verslag 2024-05-01.md", date(2024, 5, 1)),
    ("Releasenotes SNS 20190801000013 - 1.md", date(2019, 8, 1)),  # the file's own name before its folder's
    ("notulen/20240501 en 20240601.md", None),  # two days: ambiguous
    ("regeling v1.2.docx", None),
    ("export/20251301/lijst.md", None),  # eight digits, no day
])
def test_date_in_name(doc_id, expected):
    assert date_in_name(doc_id) == expected


def test_word_97_summary_information(tmp_path):
    import shutil

    shutil.copy(Path(__file__).resolve().parents[2] / "data" / "formats" / "word97.doc", tmp_path / "oud.doc")
    doc = _load(tmp_path / "oud.doc")  # its summary information: last saved 11 April 2014
    assert (doc.dated, doc.dated_by) == ("2014-04-11", "document")
