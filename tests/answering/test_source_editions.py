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
