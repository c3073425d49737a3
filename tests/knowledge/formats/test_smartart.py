"""SmartArt (an organisation chart) on a slide and in a Word document, read from the graphic's data part
as PowerPoint and Word save it."""

from __future__ import annotations

from pathlib import Path

from knowledge.loaders import load_document

DIAGRAM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _point(model_id: str, *paragraphs: str) -> str:
    """A node of paragraphs; in a paragraph "\n" is a line break (`a:br`) and "+" splits two runs."""
    body = "".join("<a:p>" + "<a:br/>".join("".join(f"<a:r><a:t>{run}</a:t></a:r>" for run in line.split("+"))
                                            for line in paragraph.split("\n")) + "</a:p>"
                   for paragraph in paragraphs)
    return f'<dgm:pt modelId="{model_id}"><dgm:t><a:bodyPr/>{body}</dgm:t></dgm:pt>'


def _data_model() -> bytes:
    return (f'<dgm:dataModel xmlns:dgm="{DIAGRAM}" xmlns:a="{DRAWING}"><dgm:ptLst>'
            '<dgm:pt modelId="0" type="doc"><dgm:prSet/></dgm:pt>'
            + _point("1", "Voorzitter", "Gert +Peremans")
            + _point("2", "Jeugdwerking\nJoel Bynens\nMaarten Cleeren")
            + '<dgm:pt modelId="3" type="parTrans"><dgm:prSet/></dgm:pt>'
            + '</dgm:ptLst></dgm:dataModel>').encode()


def _graphic(rid: str) -> str:
    return (f'<a:graphic xmlns:a="{DRAWING}"><a:graphicData uri="{DIAGRAM}"><dgm:relIds xmlns:dgm="{DIAGRAM}"'
            f' xmlns:r="{RELATIONSHIPS}" r:dm="{rid}" r:lo="{rid}" r:qs="{rid}" r:cs="{rid}"/>'
            '</a:graphicData></a:graphic>')


def make_org_chart(path: Path, *, broken_link: bool = False) -> Path:
    from pptx import Presentation
    from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from pptx.opc.package import Part
    from pptx.opc.packuri import PackURI
    from pptx.oxml import parse_xml

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # title only
    slide.shapes.title.text = "Organigram"
    part = Part(PackURI("/ppt/diagrams/data1.xml"), CONTENT_TYPE.DML_DIAGRAM_DATA, slide.part.package, _data_model())
    rid = "rId99" if broken_link else slide.part.relate_to(part, RELATIONSHIP_TYPE.DIAGRAM_DATA)
    slide.shapes._spTree.append(parse_xml(
        f'<p:graphicFrame xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="{DRAWING}">'
        '<p:nvGraphicFramePr><p:cNvPr id="9" name="Diagram 1"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>'
        '<p:xfrm><a:off x="0" y="2000000"/><a:ext cx="6000000" cy="3000000"/></p:xfrm>'
        f'{_graphic(rid)}</p:graphicFrame>'))
    presentation.save(path)
    return path


def test_an_org_charts_smartart_nodes_are_read_each_as_a_line_of_its_slide(tmp_path):
    doc = load_document(make_org_chart(tmp_path / "organigram.pptx"), tmp_path, collection="c")
    lines = doc.text.splitlines()
    assert "## Organigram" in lines
    assert "- Voorzitter, Gert Peremans" in lines  # two paragraphs; runs of one line joined
    assert "- Jeugdwerking, Joel Bynens, Maarten Cleeren" in lines  # line breaks inside one paragraph


def test_a_smartart_whose_data_part_is_missing_leaves_the_rest_of_the_slide(tmp_path):
    doc = load_document(make_org_chart(tmp_path / "kapot.pptx", broken_link=True), tmp_path, collection="c")
    assert "## Organigram" in doc.text.splitlines() and "Voorzitter" not in doc.text


def make_word_org_chart(path: Path) -> Path:
    import docx
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.part import Part
    from docx.opc.packuri import PackURI
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading("Organisatie", level=1)
    paragraph = document.add_paragraph("Zo is de club georganiseerd:")
    part = Part(PackURI("/word/diagrams/data1.xml"), CONTENT_TYPE.DML_DIAGRAM_DATA, _data_model(),
                document.part.package)
    rid = document.part.relate_to(part, RELATIONSHIP_TYPE.DIAGRAM_DATA)
    paragraph._p.append(parse_xml(
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:drawing><wp:inline>'
        '<wp:extent cx="5000000" cy="3000000"/><wp:docPr id="1" name="Diagram 1"/>'
        f'{_graphic(rid)}</wp:inline></w:drawing></w:r>'))
    document.add_paragraph("Vragen? Mail het secretariaat.")
    document.save(path)
    return path


def test_a_word_documents_smartart_is_read_after_the_paragraph_it_stands_in(tmp_path):
    doc = load_document(make_word_org_chart(tmp_path / "organisatie.docx"), tmp_path, collection="c")
    lines = [line for line in doc.text.splitlines() if line.strip()]
    start = lines.index("Zo is de club georganiseerd:")
    assert lines[start + 1:start + 4] == ["- Voorzitter, Gert Peremans", "- Jeugdwerking, Joel Bynens, Maarten Cleeren",
                                          "Vragen? Mail het secretariaat."]
