"""A Word document with tracked changes is read as Word shows it with the changes accepted: inserted
text kept (a version number typed over an older one is most of the Kadaster's titles), deleted text
left out, a drawing's copy for old readers left out, and a text box's text still read once, after its
paragraph."""

from __future__ import annotations

from pathlib import Path

from knowledge.loaders import load_document
from tests.knowledge.formats.test_word_formats import NAMESPACES, W, text_box_paragraph

REVISED = "w:author=\"Redactie\" w:date=\"2025-03-31T09:11:00Z\""


def revised_paragraph(style: str, *parts: str) -> str:
    return f'<w:p {NAMESPACES}><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{"".join(parts)}</w:p>'


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def inserted(text: str) -> str:
    return f'<w:ins w:id="1" {REVISED}>{run(text)}</w:ins>'


def deleted(text: str) -> str:
    return f'<w:del w:id="2" {REVISED}><w:r><w:delText>{text}</w:delText></w:r></w:del>'


def make_revised_docx(path: Path) -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    section = body.find(f"{{{W}}}sectPr")
    for xml in (
        revised_paragraph("Title", run("Toelichting "), inserted("VVE-"), run("Tekstblok Aanhef v"),
                          inserted("2.0"), deleted("1.4")),
        revised_paragraph("Heading2", run("versie "), inserted("2.0"), deleted("1.4"), run(", dd. "),
                          '<w:fldSimple w:instr=" DATE "><w:r><w:t>13 maart 2025</w:t></w:r></w:fldSimple>'),
        revised_paragraph("Normal", run("De notaris kiest "), inserted("een van drie"), deleted("twee"),
                          run(" varianten.")),
        revised_paragraph("Normal", run("Akkoord: "), '<mc:AlternateContent><mc:Choice Requires="w14">', run("ja"),
                          '</mc:Choice><mc:Fallback>', run("[x]"), '</mc:Fallback></mc:AlternateContent>'),
        text_box_paragraph("Voorblad", "Model geldt vanaf 1 november 2025."),
    ):
        section.addprevious(parse_xml(xml))
    document.save(path)
    return path


def test_inserted_text_is_read_and_deleted_text_is_not(tmp_path):
    path = make_revised_docx(tmp_path / "Toelichting VVE-Tekstblok - Aanhef v2.0.docx")

    document = load_document(path, tmp_path, collection="akten")

    assert document.title == "Toelichting VVE-Tekstblok Aanhef v2.0"
    assert "## versie 2.0, dd. 13 maart 2025" in document.text
    assert "De notaris kiest een van drie varianten." in document.text
    assert "1.4" not in document.text and "twee" not in document.text
    assert "Akkoord: ja\n" in document.text  # Word's own rendering, not the copy for old readers
    assert document.text.count("Model geldt vanaf 1 november 2025.") == 1  # the text box once, on its own
    assert "Voorblad\n" in document.text
