"""PDFs written by fpdf2 the way office programs lay them out: a report with running header, footer,
page numbers, a hyphenated line end, a ruled table and a page in two columns; a slide deck; a
scanned page (an image of rendered Dutch text, no text layer)."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

LEFT_COLUMN = ("De eerste kolom gaat over het parkeren bij het kantoor in Utrecht. Medewerkers met een "
               "elektrische auto laden op de bovenste verdieping van de garage, zolang er plaats is. ") * 3
RIGHT_COLUMN = ("De tweede kolom gaat over de fietsenstalling aan de achterkant van het gebouw. De stalling "
                "gaat om tien uur 's avonds dicht en opent om zeven uur 's ochtends. ") * 3


def _report_page(pdf, number: int, pages: int) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(10, 8)
    pdf.cell(0, 5, "Polderlicht B.V. - Jaarverslag 2025 - Vertrouwelijk")
    pdf.set_xy(10, 284)
    pdf.cell(0, 5, f"Pagina {number} van {pages}", align="C")
    pdf.set_xy(10, 25)


def make_report(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    _report_page(pdf, 1, 3)
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "Reiskosten en vergoedingen", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for line in ("Wie met eigen vervoer naar een klant reist, krijgt een reiskosten-",
                 "vergoeding per kilometer. Declareer binnen een maand via het portaal."):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    with pdf.table(col_widths=(60, 60, 60), first_row_as_headings=True) as table:
        for row in (("Vervoer", "Vergoeding per km", "Geldt voor"), ("Auto", "0,23 euro", "Iedereen"),
                    ("Fiets", "0,10 euro", "Woon-werkverkeer"), ("Scooter", "0,15 euro", "Buitendienst")):
            cells = table.row()
            for value in row:
                cells.cell(value)
    _report_page(pdf, 2, 3)
    pdf.set_font("Helvetica", "", 11)
    left, right = (pdf.multi_cell(90, 6, text, dry_run=True, output="LINES") for text in (LEFT_COLUMN, RIGHT_COLUMN))
    for row, (line_left, line_right) in enumerate(zip_longest(left, right, fillvalue="")):  # row by row
        for x, line in ((10, line_left), (110, line_right)):
            pdf.set_xy(x, 25 + 6 * row)
            pdf.cell(90, 6, line)
    _report_page(pdf, 3, 3)
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, "Thuiswerken", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "Voor thuiswerken krijg je 2,40 euro per dag. Een bureaustoel vraag je aan bij "
                         "facilitair; die wordt binnen twee weken thuis bezorgd.")
    pdf.output(str(path))
    return path


SLIDES = (("Welkom bij Polderlicht", ["Je eerste dag begint om negen uur", "Haal je badge bij de receptie"]),
          ("Je laptop", ["IT zet je laptop klaar", "Wachtwoord wijzigen binnen een week"]),
          ("Lunch", ["De kantine is open van twaalf tot half twee", "Vrijdag is er soep"]))


def make_slides(path: Path) -> Path:
    """A deck printed to PDF: landscape pages, a large title, a few bullets each."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L")
    for title, bullets in SLIDES:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 30)
        pdf.set_xy(20, 20)
        pdf.cell(0, 16, title)
        pdf.set_font("Helvetica", "", 18)
        pdf.set_xy(25, 60)
        for bullet in bullets:
            pdf.cell(0, 12, f"- {bullet}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_x(25)
    pdf.output(str(path))
    return path


SCANNED_TEXT = ("Verslag van de ondernemingsraad", "De kantine gaat op vrijdag om drie uur dicht.",
                "Het nieuwe rooster begint in maart.")


def _scan_image(lines: tuple[str, ...]):
    """Rendered Dutch text as a grey image, as a scanner gives it: written by fpdf2, rendered by pypdfium2."""
    import pypdfium2
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 14)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    document = pypdfium2.PdfDocument(bytes(pdf.output()))
    try:
        return document[0].render(scale=150 / 72, grayscale=True).to_pil()
    finally:
        document.close()


def make_scan(path: Path, *, text_page_before: bool = False) -> Path:
    """A PDF whose (last) page is only an image of text; optionally a page with real text before it."""
    from fpdf import FPDF

    pdf = FPDF()
    if text_page_before:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 12)
        pdf.multi_cell(0, 6, "Dit is de gewone eerste pagina met een tekstlaag over de agenda van de vergadering.")
    pdf.add_page()
    pdf.image(_scan_image(SCANNED_TEXT), x=0, y=0, w=210)
    pdf.output(str(path))
    return path


def make_damaged(path: Path, pages: int = 12) -> Path:
    """A PDF whose cross-reference table points every object at its neighbour: pypdf repairs each
    one, with a warning per object."""
    import re

    from fpdf import FPDF

    pdf = FPDF()
    for i in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 6, f"Pagina {i + 1} gaat over verlof en vakantiedagen. " * 3)
    data = bytes(pdf.output())
    start = data.rindex(b"\nxref\n")
    lines = data[start:].split(b"\n")
    entries = [i for i, line in enumerate(lines) if re.match(rb"^\d{10} 00000 n", line)]
    offsets = [lines[i][:10] for i in entries]
    for k, i in enumerate(entries[1:], start=1):
        lines[i] = offsets[k - 1] + lines[i][10:]
    path.write_bytes(data[:start] + b"\n".join(lines))
    return path
