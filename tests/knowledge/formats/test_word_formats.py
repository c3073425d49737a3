"""Word as people wrote it: .docx (written by python-docx, text boxes and content controls added as Word
writes them) and Word 97-2003 .doc through antiword."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.errors import DocumentError
from knowledge.formats.word import docbook_to_markdown
from knowledge.loaders import load_document
from tests.knowledge.formats.programs import needs_antiword

DATA = Path(__file__).resolve().parents[2] / "data" / "formats"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (f'xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
              'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
              'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
              'xmlns:v="urn:schemas-microsoft-com:vml"')


def _box(text: str) -> str:
    return f'<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>'


def text_box_paragraph(anchor: str, boxed: str) -> str:
    """A paragraph with a text box, as Word writes it: the drawing, and a VML copy for old readers."""
    return (f'<w:p {NAMESPACES}><w:r><w:t>{anchor}</w:t></w:r><w:r><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
            f'<wps:wsp><wps:txbx>{_box(boxed)}</wps:txbx></wps:wsp>'
            f'</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape><v:textbox>{_box(boxed)}</v:textbox></v:shape></w:pict></mc:Fallback>'
            f'</mc:AlternateContent></w:r></w:p>')


def content_control(text: str) -> str:
    return f'<w:sdt {NAMESPACES}><w:sdtContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:sdtContent></w:sdt>'


def make_docx(path: Path) -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading("Hypotheekakte", level=1)
    body = document.element.body
    section = body.find(f"{{{W}}}sectPr")  # stays last, as Word keeps it
    section.addprevious(parse_xml(text_box_paragraph("Voorblad", "Model Obvion 23.01 geldt vanaf 1 november 2025.")))
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, (("Kleur", "Betekenis", "Voorbeeld"), ("Rood", "Vaste tekst", "notaris"),
                                        ("Groen", "Verplichte keuze", "hypotheekgever"))):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = table.cell(1, 2).merge(table.cell(2, 2))  # one cell down two rows
    merged.text = "zie de toelichting"
    document.add_paragraph("Na de tabel volgt de slotbepaling.")
    section.addprevious(parse_xml(content_control("Versie 3.9 van het tekstblok.")))
    document.save(str(path))
    return path


def _load(path: Path):
    return load_document(path, path.parent, collection="c")


def test_docx_text_boxes_are_read_once_after_their_paragraph(tmp_path):
    text = _load(make_docx(tmp_path / "akte.docx")).text
    assert text.count("Model Obvion 23.01 geldt vanaf 1 november 2025.") == 1
    assert text.index("Voorblad") < text.index("Model Obvion 23.01")


def test_docx_tables_in_body_order_with_their_header_and_merged_cells_once(tmp_path):
    text = _load(make_docx(tmp_path / "akte.docx")).text
    assert "Kleur: Groen; Betekenis: Verplichte keuze" in text
    assert text.count("zie de toelichting") == 1
    assert text.index("Model Obvion") < text.index("Kleur: Rood") < text.index("Na de tabel volgt")


def test_docx_content_controls_are_read(tmp_path):
    assert "Versie 3.9 van het tekstblok." in _load(make_docx(tmp_path / "akte.docx")).text


# --- Word 97-2003 -----------------------------------------------------------------------------------------------

@needs_antiword
def test_doc_is_read_through_antiword(tmp_path):
    path = tmp_path / "oud.doc"
    shutil.copy(DATA / "word97.doc", path)
    assert "Test OLE file, saved as Word 97-2003 Document." in _load(path).text


# DocBook as antiword writes it (`antiword -x db`): a table inside a paragraph, sections, a list.
DOCBOOK = b"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE book PUBLIC "-//OASIS//DTD DocBook XML V4.1.2//EN"
\t"http://www.oasis-open.org/docbook/xml/4.1.2/docbookx.dtd">
<book lang='nl'>
<title>Rapport</title>
 <bookinfo><title>Rapport</title></bookinfo>
 <chapter>
<title><emphasis role='bold'>Webservice</emphasis></title>
  <para>
Toegang tot de testomgeving &amp; de URL&#8217;s.
   <informaltable frame='none'><tgroup cols='2'><tbody>
      <row><entry>Omgeving</entry><entry>URL</entry></row>
      <row><entry>ETO</entry><entry>https://eto.example.nl/aa</entry></row>
   </tbody></tgroup></informaltable>
  </para>
  <sect1>
<title>Account</title>
  <itemizedlist><listitem><para>Vraag een account aan bij de servicedesk.</para></listitem></itemizedlist>
  </sect1>
 </chapter>
</book>
"""


def test_doc_sections_tables_and_lists_come_from_antiwords_docbook():
    text = docbook_to_markdown(DOCBOOK)
    assert text.split("\n\n") == [
        "# Webservice", "Toegang tot de testomgeving & de URL’s.",
        "Omgeving | URL\nOmgeving: ETO; URL: https://eto.example.nl/aa",
        "## Account", "- Vraag een account aan bij de servicedesk.",
    ]


def test_doc_without_antiword_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "oud.doc"
    shutil.copy(DATA / "word97.doc", path)
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    with pytest.raises(DocumentError, match="antiword ontbreekt .installeer het Debian-pakket antiword"):
        _load(path)


@needs_antiword
def test_a_doc_that_is_no_word_file_raises_a_reason(tmp_path):
    path = tmp_path / "nep.doc"
    path.write_bytes(b"Dit is gewoon tekst met de extensie .doc")
    with pytest.raises(DocumentError, match="Word 97-2003-bestand is beschadigd"):
        _load(path)
