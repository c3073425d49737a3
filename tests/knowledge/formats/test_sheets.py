"""Spreadsheets on real files (openpyxl and odfdo write them as Excel and LibreOffice do): every row
says what its values are, under the header in force where it stands, with numbers as the sheet
shows them; the chunker cuts a tab's rows into small passages of whole rows."""

from __future__ import annotations

from pathlib import Path

from knowledge.chunking import Chunker
from knowledge.loaders import load_document

EURO = '_("€"\\ * #,##0.00_);_("€"\\ * \\(#,##0.00\\);_("€"\\ * "-"??_);_(@_)'


def make_budget_xlsx(path: Path) -> Path:
    """A church's budget as treasurers keep it: a title, blank rows, two tables in one tab."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Blad1"
    sheet["A1"], sheet["D1"] = "Baten 2026", "Wijkkas De Lichtbron"
    sheet["A3"], sheet["D3"], sheet["F3"] = "Baten", 2026, 2025
    for row, (code, name, now, before) in enumerate([(210, "Giften wijkkas", 10500, 11155.7),
                                                      (170, "Verkoop collectebonnen", 9000, 10354)], start=5):
        sheet.cell(row, 1, code), sheet.cell(row, 2, name)
        for column, value in ((4, now), (6, before)):
            sheet.cell(row, column, value).number_format = EURO
    sheet["A9"], sheet["D9"] = "Lasten 2026", "Wijkkas De Lichtbron"
    sheet["A11"], sheet["D11"], sheet["F11"] = "Lasten", 2026, 2025
    sheet["A12"], sheet["B12"], sheet["D12"], sheet["F12"] = 410, "Kerktuin", 1500, 7062.26
    sheet["D12"].number_format = sheet["F12"].number_format = EURO
    sheet["A13"], sheet["B13"], sheet["D13"] = 305, "Bankkosten", 0.125
    sheet["D13"].number_format = "0.0%"
    balance = workbook.create_sheet("Kolommenbalans")
    balance["B1"] = "Beginbalans"
    balance.merge_cells("B1:C1")
    balance["D1"] = "Mutaties"  # a group name over the two columns below it, not merged
    for column, name in enumerate(["Rekening", "Debet", "Credit", "Debet", "Credit"], start=1):
        balance.cell(2, column, name)
    for column, value in enumerate([121, 80, 0, 12.5, 3], start=1):
        balance.cell(3, column, value)
    workbook.save(path)
    return path


def make_ledger_ods(path: Path) -> Path:
    """A debtor list as LibreOffice saves it: a merged header cell, a month's label between the
    header and the rows, amounts with their displayed text."""
    from odfdo import Cell, Document, Row, Table

    document = Document("spreadsheet")
    document.body.clear()
    table = Table("BK2026")
    header = Row()
    for text in ["Factuur", "Debiteur", "Bedragen", "", "Betaald"]:
        header.append(Cell(text))
    table.append(header)
    sub = Row()
    for text in ["", "", "Huur", "Buffet", ""]:
        sub.append(Cell(text))
    table.append(sub)
    month = Row()
    month.append(Cell("JANUARI"))
    table.append(month)
    row = Row()
    row.append(Cell("202602-036"))
    row.append(Cell("Stichting Ararat"))
    row.append(Cell(-300, text="€ -300.00", cell_type="currency", currency="EUR"))
    row.append(Cell(-34, text="€ -34.00", cell_type="currency", currency="EUR"))
    row.append(Cell("creditfactuur van 202601-012"))
    table.append(row)
    table.set_span("C1:D1")
    document.body.append(table)
    document.save(path)
    return path


def _load(path: Path):
    return load_document(path, path.parent, collection="c")


def test_budget_rows_carry_their_account_and_year_columns_with_the_amounts_as_shown(tmp_path):
    text = _load(make_budget_xlsx(tmp_path / "begroting.xlsx")).text
    assert "## Blad1" in text
    assert "\nBaten 2026 | Wijkkas De Lichtbron\nBaten | 2026 | 2025\n" in text  # the title stays a plain line
    assert "Baten: 170; Verkoop collectebonnen; 2026: € 9.000,00; 2025: € 10.354,00" in text
    assert "Baten: 210; Giften wijkkas; 2026: € 10.500,00; 2025: € 11.155,70" in text
    # the second table in the tab has its own header, and its title is not a row of the first
    assert "\nLasten 2026 | Wijkkas De Lichtbron\nLasten | 2026 | 2025\n" in text
    assert "Lasten: 410; Kerktuin; 2026: € 1.500,00; 2025: € 7.062,26" in text
    assert "Lasten: 305; Bankkosten; 2026: 12,5%" in text
    assert "Baten: 410" not in text and "11155.7" not in text


def test_stacked_and_merged_header_cells_name_every_column_below_them(tmp_path):
    text = _load(make_budget_xlsx(tmp_path / "begroting.xlsx")).text
    assert ("Rekening: 121; Beginbalans Debet: 80; Beginbalans Credit: 0; Mutaties Debet: 12.5; "
            "Mutaties Credit: 3") in text


def test_ods_rows_under_a_merged_header_and_a_month_label_keep_the_displayed_amounts(tmp_path):
    text = _load(make_ledger_ods(tmp_path / "debiteuren.ods")).text
    assert "## BK2026" in text and "\nJANUARI\n" in text
    assert ("Factuur: 202602-036; Debiteur: Stichting Ararat; Bedragen Huur: € -300.00; "
            "Bedragen Buffet: € -34.00; Betaald: creditfactuur van 202601-012") in text


def _words(text: str) -> int:
    return len(text.split())


def test_a_tab_is_cut_into_small_passages_of_whole_rows_joined_with_nothing_else(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rekeningen"
    sheet.append(["Rekening", "Naam", "Saldo"])
    rows = [(100 + i, f"Post nummer {i}", 10 * i) for i in range(60)]
    for row in rows:
        sheet.append(list(row))
    workbook.create_sheet("Notities")["A1"] = "Saldo's overnemen uit de bank."
    path = tmp_path / "rekeningen.xlsx"
    workbook.save(path)
    doc = _load(path)
    chunker = Chunker(_words, max_tokens=350, row_tokens=40)
    chunks = chunker.split(doc)

    sheet_chunks = [c for c in chunks if c.headings == ("Rekeningen",)]
    assert len(sheet_chunks) > 5  # not one passage for the whole tab
    assert all(_words(c.text) <= 40 for c in sheet_chunks)
    lines = [line for c in sheet_chunks for line in c.text.split("\n")]
    for number, name, balance in rows:  # every row whole, in exactly one passage
        assert lines.count(f"Rekening: {number}; Naam: {name}; Saldo: {balance}") == 1
    notes = [c for c in chunks if c.headings == ("Notities",)]
    assert [c.text for c in notes] == ["Saldo's overnemen uit de bank."]
    assert all("<!--" not in c.text for c in chunks)


def test_a_row_longer_than_the_row_budget_stays_one_passage(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Besluit", "Toelichting", "Jaar"])
    long_note = " ".join(["de raad stemt in met het voorstel"] * 8)
    sheet.append(["Sportvisie", long_note, 2025])
    sheet.append(["Omroep", "aanwijzing lokale omroep", 2026])
    path = tmp_path / "besluiten.xlsx"
    workbook.save(path)
    chunks = Chunker(_words, max_tokens=350, row_tokens=40).split(_load(path))
    assert any(c.text == f"Besluit: Sportvisie; Toelichting: {long_note}; Jaar: 2025" for c in chunks)


def write_xlsx(path: Path, rows: list[list[object]], formats: dict[tuple[int, int], str] | None = None) -> Path:
    """A one-tab workbook of these rows; formats: (row, column) -> number format."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for (row, column), number_format in (formats or {}).items():
        sheet.cell(row, column).number_format = number_format
    workbook.save(path)
    return path


def test_a_lone_cell_far_below_the_rows_is_read_without_walking_the_empty_grid(tmp_path):
    """A cell in the sheet's last row (a stray note, a formula dragged to the bottom) must not make the
    reader visit a million empty rows of two hundred columns: the file is read, rows and note alike."""
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "lijst.xlsx", [["Post", "Bedrag"], ["Huur zaal", 350], ["Koffie", 42]])
    workbook = load_workbook(path)
    workbook.active.cell(1_048_576, 1, "einde van de lijst")
    workbook.save(path)

    text = _load(path).text

    assert "Post: Huur zaal; Bedrag: 350" in text
    assert "einde van de lijst" in text


def test_amounts_are_rounded_half_up_as_the_sheet_shows_them(tmp_path):
    """Excel rounds a half away from zero (2.5 shown as "3"); the text must say what the sheet shows."""
    path = write_xlsx(tmp_path / "afronding.xlsx",
                      [["Post", "Bedrag", "Aandeel"], ["Koffie", 2.5, 0.125], ["Thee", -10354.5, 0.00125]],
                      {(row, column): form for row in (2, 3) for column, form in ((2, "#,##0"), (3, "0.00"))})

    text = _load(path).text

    assert "Post: Koffie; Bedrag: 3; Aandeel: 0,13" in text
    assert "Post: Thee; Bedrag: -10.355; Aandeel: 0,00" in text


def test_a_number_in_a_fraction_format_keeps_its_value(tmp_path):
    """'# ?/?' shows 1.5 as "1 1/2": reading only its whole-number digits would say 2."""
    path = write_xlsx(tmp_path / "breuk.xlsx", [["Materiaal", "Inches"], ["Plank", 1.5]], {(2, 2): "# ?/?"})

    assert "Materiaal: Plank; Inches: 1.5" in _load(path).text


def test_a_large_workbook_streamed_reads_every_row_whatever_its_stated_size(tmp_path, monkeypatch):
    """A streamed (read-only) sheet trusts the size the file states; some writers state "A1" for any
    sheet. Every row and column must still be read."""
    import re
    import zipfile

    from knowledge.formats import office

    written = write_xlsx(tmp_path / "written.xlsx", [["Post", "Bedrag", "Toelichting"], ["Huur zaal", 350, "per avond"],
                                                     ["Koffie", 42, "per jaar"]])
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path := tmp_path / "groot.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(item, data)
    monkeypatch.setattr(office, "MERGES_READ_UP_TO", 0)  # as a workbook too large to load in full

    text = _load(path).text

    assert "Post: Koffie; Bedrag: 42; Toelichting: per jaar" in text
