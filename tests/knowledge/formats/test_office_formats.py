"""Office and mail formats on real files: OpenDocument written by odfdo, PowerPoint by python-pptx,
Excel by openpyxl, RTF, e-mail and CSV written by hand as their programs write them."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from knowledge.errors import DocumentError
from knowledge.formats import NO_EXTENSION
from knowledge.loaders import load_document, scan_folder


def make_odt(path: Path) -> Path:
    from odfdo import Document, Header, List, Paragraph, Table

    document = Document("text")
    document.body.clear()
    document.body.append(Header(1, "Verlofregeling"))
    document.body.append(Paragraph("Je krijgt 25 vakantiedagen per jaar."))
    document.body.append(Header(2, "Aanvragen"))
    document.body.append(List(["Via het portaal", "Bij je teamlead"]))
    table = Table("Dagen", width=2, height=2)
    table.set_values([["Functie", "Extra dagen"], ["Consultant", "2"]])
    document.body.append(table)
    document.save(path)
    return path


def make_ods(path: Path) -> Path:
    from odfdo import Document, Table

    document = Document("spreadsheet")
    document.body.clear()
    rates = Table("Tarieven")
    rates.set_values([["Reiskosten 2025", ""], ["", ""], ["Vervoer", "Vergoeding per km"],
                      ["Auto", "0,23"], ["Fiets", "0,10"]])
    contacts = Table("Contacten")
    contacts.set_values([["Afdeling", "Telefoon"], ["Salarisadministratie", "020-1234567"]])
    document.body.extend([rates, contacts])
    document.save(path)
    return path


def make_odp(path: Path) -> Path:
    from odfdo import Document, DrawPage, Frame, PresentationNotes

    document = Document("presentation")
    document.body.clear()
    page = DrawPage("p1", name="dia1")
    page.append(Frame.text_frame("Welkom bij Polderlicht", presentation_class="title",
                                 position=("1cm", "1cm"), size=("20cm", "3cm")))
    page.append(Frame.text_frame(["Je eerste werkdag begint om negen uur.", "Haal je badge bij de receptie."],
                                 position=("1cm", "5cm"), size=("20cm", "10cm")))
    notes = PresentationNotes()
    notes.append(Frame.text_frame("Vertel over de lunch.", presentation_class="notes"))
    page.append(notes)
    document.body.append(page)
    untitled = DrawPage("p2", name="dia2")
    untitled.append(Frame.text_frame("Vragen? Bel de servicedesk.", size=("20cm", "3cm")))
    document.body.append(untitled)
    document.save(path)
    return path


def make_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Cm

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])  # title and content
    slide.shapes.title.text = "Declareren"
    body = slide.placeholders[1].text_frame
    body.text = "Declaraties dien je in via Mijn Polderlicht."
    sub = body.add_paragraph()
    sub.text = "Bonnetjes fotograferen mag."
    sub.level = 1
    slide.notes_slide.notes_text_frame.text = "Noem de termijn van drie maanden."
    blank = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank: no title
    table = blank.shapes.add_table(2, 2, Cm(2), Cm(2), Cm(10), Cm(3)).table
    for (row, col), text in {(0, 0): "Soort", (0, 1): "Maximum", (1, 0): "Lunch", (1, 1): "15 euro"}.items():
        table.cell(row, col).text = text
    box = blank.shapes.add_textbox(Cm(2), Cm(8), Cm(10), Cm(2))
    box.text_frame.text = "Vragen: finance@polderlicht.example"
    designed = presentation.slides.add_slide(presentation.slide_layouts[6])  # a title drawn as a text box
    body_box = designed.shapes.add_textbox(Cm(2), Cm(6), Cm(20), Cm(4))
    body_box.text_frame.text = "Het kilometergeld is 23 cent per kilometer."
    title_box = designed.shapes.add_textbox(Cm(2), Cm(1), Cm(20), Cm(2))
    title_box.text_frame.text = "Reiskosten"
    presentation.save(path)
    return path


def make_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet.append(["Team", "Opleidingsbudget", "Vanaf"])
    sheet.append(["Support", 1500, date(2025, 1, 1)])
    sheet.append(["Ontwikkeling", 2250.5, None])
    other = workbook.create_sheet("Leeg")
    other["A1"] = None
    workbook.create_sheet("Notities")["A1"] = "Aanvragen voor 1 maart."
    workbook.save(path)
    return path


RTF = (rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}"
       rb"\pard\b Thuiswerkvergoeding\b0\par\par"
       rb"\pard Je krijgt 2 euro per thuiswerkdag, ook in het caf\'e9.\par}")

EML_PLAIN = b"""From: HR <hr@polderlicht.example>
To: Iedereen <iedereen@polderlicht.example>
Date: Mon, 06 Jan 2025 09:00:00 +0100
Subject: =?utf-8?q?Nieuwe_regeling_fietsvergoeding?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="grens"

--grens
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Vanaf februari krijg je 0,10 euro per kilometer caf=C3=A9-fiets.

--grens
Content-Type: application/pdf
Content-Disposition: attachment; filename="regeling.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--grens--
"""

EML_HTML = b"""From: it@polderlicht.example
Subject: Onderhoud VPN
Content-Type: text/html; charset="utf-8"

<html><body><h2>Zaterdag</h2><p>De VPN is zaterdag <b>niet</b> bereikbaar.</p><script>x()</script></body></html>
"""


def _load(path: Path, data: bytes | None = None):
    if data is not None:
        path.write_bytes(data)
    return load_document(path, path.parent, collection="c")


def test_odt_headings_paragraphs_lists_and_tables(tmp_path):
    doc = _load(make_odt(tmp_path / "verlof.odt"))
    assert doc.title == "Verlofregeling"
    assert "# Verlofregeling\n\nJe krijgt 25 vakantiedagen per jaar.\n\n## Aanvragen" in doc.text
    assert "- Via het portaal\n- Bij je teamlead" in doc.text
    assert "Functie: Consultant; Extra dagen: 2" in doc.text


def test_ods_sheets_are_sections_and_rows_name_their_columns(tmp_path):
    doc = _load(make_ods(tmp_path / "tarieven.ods"))
    assert doc.title == "tarieven"  # a sheet's name is not the document's title
    assert "## Tarieven\n\n<!-- rows -->\nReiskosten 2025\nVervoer | Vergoeding per km\n" in doc.text
    assert "Vervoer: Auto; Vergoeding per km: 0,23" in doc.text
    assert "Vervoer: Fiets; Vergoeding per km: 0,10" in doc.text
    assert "## Contacten" in doc.text and "Afdeling: Salarisadministratie; Telefoon: 020-1234567" in doc.text


def test_odp_slides_with_titles_text_and_notes(tmp_path):
    doc = _load(make_odp(tmp_path / "introductie.odp"))
    assert doc.title == "Welkom bij Polderlicht"
    assert ("## Welkom bij Polderlicht\n\nJe eerste werkdag begint om negen uur.\n"
            "Haal je badge bij de receptie.") in doc.text
    assert "Notities: Vertel over de lunch." in doc.text
    assert "## Dia 2\n\nVragen? Bel de servicedesk." in doc.text


def test_pptx_titles_text_frames_tables_and_notes(tmp_path):
    doc = _load(make_pptx(tmp_path / "declareren.pptx"))
    assert doc.title == "Declareren"
    assert "## Declareren\n\nDeclaraties dien je in via Mijn Polderlicht.\n  - Bonnetjes fotograferen mag." in doc.text
    assert "Notities: Noem de termijn van drie maanden." in doc.text
    second = doc.text.split("## Dia 2", 1)[1]
    assert "Soort: Lunch; Maximum: 15 euro" in second
    assert second.index("Soort: Lunch") < second.index("Vragen: finance@polderlicht.example")  # reading order


def test_pptx_is_a_passage_per_slide_that_knows_its_number(tmp_path):
    from knowledge.chunking import Chunker

    doc = _load(make_pptx(tmp_path / "declareren.pptx"))
    chunks = Chunker(lambda text: len(text.split()), max_tokens=300).split(doc)  # room for both: never joined
    assert [(c.page, c.headings[-1]) for c in chunks] == [(1, "Declareren"), (2, "Dia 2"), (3, "Reiskosten")]


def test_a_slide_titled_by_a_text_box_gets_that_title_and_a_table_or_sentence_does_not(tmp_path):
    text = _load(make_pptx(tmp_path / "declareren.pptx")).text
    assert "## Reiskosten\n\nHet kilometergeld is 23 cent per kilometer." in text  # the top box, not the first made
    assert "## Dia 2\n\nSoort | Maximum" in text
    odp = _load(make_odp(tmp_path / "introductie.odp")).text
    assert "## Dia 2\n\nVragen? Bel de servicedesk." in odp  # a sentence alone is the slide's text


def test_xlsx_sheets_values_and_dates(tmp_path):
    doc = _load(make_xlsx(tmp_path / "budget.xlsx"))
    assert doc.title == "budget"
    assert "## Budget\n\n<!-- rows -->\nTeam | Opleidingsbudget | Vanaf\n" in doc.text
    assert "Team: Support; Opleidingsbudget: 1500; Vanaf: 2025-01-01" in doc.text
    assert "Team: Ontwikkeling; Opleidingsbudget: 2250.5" in doc.text
    assert "## Leeg" not in doc.text  # an empty sheet adds nothing
    assert "## Notities\n\n<!-- rows -->\nAanvragen voor 1 maart." in doc.text


def test_rtf_text_with_code_page_escapes(tmp_path):
    doc = _load(tmp_path / "thuiswerk.rtf", RTF)
    assert doc.title == "Thuiswerkvergoeding"
    assert "Je krijgt 2 euro per thuiswerkdag, ook in het café." in doc.text
    assert "fonttbl" not in doc.text and "Arial" not in doc.text


def test_eml_subject_header_body_and_attachment_names(tmp_path):
    doc = _load(tmp_path / "fiets.eml", EML_PLAIN)
    assert doc.title == "Nieuwe regeling fietsvergoeding"
    assert ("Van: HR <hr@polderlicht.example>\nAan: Iedereen <iedereen@polderlicht.example>\n"
            "Datum: Mon, 06 Jan 2025") in doc.text
    assert "Vanaf februari krijg je 0,10 euro per kilometer café-fiets." in doc.text
    assert "Bijlagen (niet gelezen): regeling.pdf" in doc.text
    assert "JVBERi0" not in doc.text


def test_eml_with_only_html_is_read_as_text(tmp_path):
    doc = _load(tmp_path / "vpn.eml", EML_HTML)
    assert doc.title == "Onderhoud VPN"
    assert "## Zaterdag" in doc.text and "De VPN is zaterdag niet bereikbaar." in doc.text
    assert "<p>" not in doc.text and "x()" not in doc.text


@pytest.mark.parametrize("text", [
    "Naam;Toestel;Kamer\nAnna de Vries;1234;3.12\nBram Jansen;;4.01\n",
    "Naam,Toestel,Kamer\n\"Anna de Vries\",1234,3.12\n\"Bram Jansen\",,4.01\n",
])
def test_csv_rows_name_their_columns_whatever_the_delimiter(tmp_path, text):
    doc = _load(tmp_path / "telefoonlijst.csv", text.encode("utf-8"))
    assert doc.title == "telefoonlijst"
    assert "Naam: Anna de Vries; Toestel: 1234; Kamer: 3.12" in doc.text
    assert "Naam: Bram Jansen; Kamer: 4.01" in doc.text


def test_csv_in_windows_1252_is_decoded(tmp_path):
    doc = _load(tmp_path / "oud.csv", "Plaats;Café\nUtrecht;De Zon\n".encode("cp1252"))
    assert "Plaats: Utrecht; Café: De Zon" in doc.text


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("suffix, what", [(".odt", "OpenDocument"), (".ods", "OpenDocument"),
                                          (".odp", "OpenDocument"), (".pptx", "PowerPoint"),
                                          (".xlsx", "Excel")])
@pytest.mark.parametrize("content", [
    b"PK\x03\x04 geen echte zip",
    _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<kapot"}),
    _zip({"[Content_Types].xml": "<Types", "leesmij.txt": "hallo"}),
], ids=["geen-zip", "kapotte-xml", "onvolledig"])
def test_corrupt_office_files_raise_a_dutch_reason(tmp_path, suffix, what, content):
    with pytest.raises(DocumentError, match=f"het {what}-bestand is beschadigd of onleesbaar"):
        _load(tmp_path / f"kapot{suffix}", content)


def test_rtf_without_rtf_header_raises_a_reason(tmp_path):
    with pytest.raises(DocumentError, match="RTF-bestand is beschadigd"):
        _load(tmp_path / "kapot.rtf", b"dit is gewoon tekst")


def test_binary_content_in_an_eml_or_csv_file_raises_a_reason(tmp_path):
    with pytest.raises(DocumentError):
        _load(tmp_path / "kapot.csv", b"\x00\x01\x02\xff\xfe" * 20)
    with pytest.raises(DocumentError, match="e-mailbericht"):
        _load(tmp_path / "kapot.eml", b"\x00\x01\x02 geen kopregels")


def test_scan_counts_unread_files_per_extension(tmp_path):
    for name in ("a.md", "b.mdx", "sub/c.odt", "ontwerp.psd", "sub/logo.psd", "sub/d.PSD", "LICENSE",
                 "foto.jpg", "poster.ai", ".verborgen.psd", ".git/objects/ab", "~$rapport.docx"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    scan = scan_folder(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in scan.documents] == ["a.md", "b.mdx", "sub/c.odt"]
    assert scan.not_read == {".psd": 3, ".ai": 1, ".jpg": 1, NO_EXTENSION: 1}
    assert list(scan.not_read) == [".psd", ".ai", ".jpg", NO_EXTENSION]  # most frequent first, no extension last


def test_eml_in_a_charset_python_does_not_know_is_still_read(tmp_path):
    message = (b"From: a@polderlicht.example\nSubject: Kantine\nContent-Type: text/plain; charset=x-onbekend\n\n"
               b"Het caf\xe9 is dicht.\n")
    assert "Het café is dicht." in _load(tmp_path / "kantine.eml", message).text
