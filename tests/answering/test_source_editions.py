"""Where a source is named, its version and the document's day are named with it: "versie 7.0,
1 januari 2025" (Dutch month names in a Dutch answer, English in an English one); a day that is only
the file's modification time is not shown."""

from __future__ import annotations

from bot.answering.types import Source
from bot.commands.ask import source_line
from bot.slack.ui.blocks import source_label

DEED = Source("Akte van levering", "Akte van levering/20250101000007/Modeldocument Akte van Levering v7.0.docx",
              dated="2025-01-01", dated_by="document")


def test_the_cli_names_version_and_day():
    assert "versie 7.0, 1 januari 2025" in source_line(DEED)
    assert "version 7.0, 1 January 2025" in source_line(DEED, "en")


def test_slack_names_version_and_day():
    assert "versie 7.0, 1 januari 2025" in source_label(DEED)


def test_a_day_from_a_name_is_shown_and_a_modification_time_is_not():
    notes = Source("Releasenotes", "ING/20260601000004/Releasenotes ING 20260601000004 - 1.md",
                   dated="2026-06-01", dated_by="name")
    assert notes.edition("nl") == "1 juni 2026", "a day in the name is no version number"
    copied = Source("Verlof", "hr/verlof.md", dated="2026-12-07", dated_by="modified")
    assert copied.edition("nl") == "" and "2026" not in source_line(copied)


def test_a_source_from_before_days_were_kept_is_named_as_before():
    old = Source("Verlof", "hr/verlof.md")
    assert source_line(old) == "Verlof (hr/verlof.md)"


BANKS = "kik/modeldocumenten"


def test_a_passage_many_files_share_names_one_file_per_document_the_newest_and_counts_the_rest():
    """A clause every bank's explanation repeats: of two versions of one bank's model only the newer
    is named, and never the source's own document's other release."""
    source = Source("Toelichting SNS", f"{BANKS}/SNS/20250601/Toelichting SNS v4.0.docx", copies=(
        f"{BANKS}/SNS/20240101/Toelichting SNS v3.0.docx",
        f"{BANKS}/AEGON/20251001/Toelichting AEGON v8.0.docx",
        f"{BANKS}/AEGON/20260115/Toelichting AEGON v9.0.docx",
        f"{BANKS}/Lloyds/20211015/Toelichting Lloyds v2.0.docx",
        f"{BANKS}/Lloyds/20250301/Toelichting Lloyds v2.0.docx",
        f"{BANKS}/Neo/20250801/Toelichting Neo v4.0.docx"))
    named, more = source.named_copies()
    assert named == [f"{BANKS}/AEGON/20260115/Toelichting AEGON v9.0.docx",
                     f"{BANKS}/Lloyds/20250301/Toelichting Lloyds v2.0.docx",
                     f"{BANKS}/Neo/20250801/Toelichting Neo v4.0.docx"]
    assert more == 3
    assert source.named_copies(limit=2) == (named[:2], 4)


def test_a_source_line_names_a_few_copies_and_counts_the_rest():
    many = Source("Clausule", "a/clausule.md", copies=tuple(f"{bank}/clausule.md" for bank in "bcdef"))
    assert source_line(many) == "Clausule (a/clausule.md; ook in b/clausule.md, c/clausule.md, d/clausule.md en nog 2)"
    older = Source("Akte", "x/20250301/akte v2.docx", copies=("x/20211015/akte v2.docx",))
    assert source_line(older) == "Akte, versie 2 (x/20250301/akte v2.docx; ook in nog 1 ander bestand)"


def test_the_other_files_are_told_in_the_answers_language():
    many = Source("Clause", "a/clause.md", copies=tuple(f"{bank}/clause.md" for bank in "bcdef"))
    assert source_line(many, "en") == "Clause (a/clause.md; also in b/clause.md, c/clause.md, d/clause.md and 2 more)"
    older = Source("Deed", "x/20250301/deed v2.docx", copies=("x/20211015/deed v2.docx",))
    assert "also in 1 other file" in source_line(older, "en")
