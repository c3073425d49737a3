"""A CMS page whose front matter is all it says (an event, a list of forms) is read from its values."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import DocumentError
from knowledge.loaders import load_document

EVENT = """---
title: Duckrace
date: 25 Mei
dateFull: 25 mei 2026
description: De jaarlijkse duckrace met mooie prijzen.
color: yellow
location: KWS Linkhout
image: /uploads/duckrace.jpg
volgorde: 3
published: true
---
"""

FORMS = """---
titel: Formulieren lidgeld
documenten:
  - naam: CM
    beschrijving: Download het formulier voor de Christelijke Mutualiteit
    bestand: /docs/CM lidgeld.pdf
  - naam: Logo
    bestand: /img/logo.png
---
"""


def _load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path, tmp_path, collection="c")


def test_an_event_page_is_read_from_its_front_matter_without_the_sites_settings(tmp_path):
    doc = _load(tmp_path, "duckrace.md", EVENT)
    assert doc.title == "Duckrace"
    lines = doc.text.splitlines()
    for line in ("date: 25 Mei", "dateFull: 25 mei 2026", "description: De jaarlijkse duckrace met mooie prijzen.",
                 "location: KWS Linkhout"):
        assert line in lines
    for setting in ("yellow", "duckrace.jpg", "volgorde", "published"):
        assert setting not in doc.text


def test_a_list_of_documents_keeps_each_items_name_and_description_and_a_dutch_titel_titles_it(tmp_path):
    doc = _load(tmp_path, "formulieren.md", FORMS)
    assert doc.title == "Formulieren lidgeld"
    assert "- CM — Download het formulier voor de Christelijke Mutualiteit — /docs/CM lidgeld.pdf" in doc.text
    assert "logo" not in doc.text.lower()  # an item with nothing readable, and an image path


def test_a_page_with_text_of_its_own_is_read_as_before(tmp_path):
    doc = _load(tmp_path, "bericht.md", EVENT + "\nDe eenden starten om twee uur bij de brug.\n")
    assert "De eenden starten om twee uur bij de brug." in doc.text
    assert "location:" not in doc.text


def test_front_matter_that_is_no_yaml_or_says_nothing_readable_leaves_the_page_without_text(tmp_path):
    unreadable = (("kapot.md", "---\ndescription: [niet gesloten zin\n---\n"), ("leeg.md", "---\nlayout: post\n---\n"))
    for name, text in unreadable:
        with pytest.raises(DocumentError, match="geen tekst"):
            _load(tmp_path, name, text)


def test_yaml_aliases_are_not_written_out_and_an_impossible_date_leaves_the_rest_of_the_page(tmp_path):
    repeated = "---\nx: &a \"" + "een lang woord " * 50 + "\"\nlijst:\n" + "  - *a\n" * 2000 + "---\n"
    with pytest.raises(DocumentError, match="geen tekst"):  # not 60 MB of text from a 50 KB page
        _load(tmp_path, "herhaling.md", repeated)
    doc = _load(tmp_path, "borrel.md", "---\ndate: 2024-02-30\n---\n\nDe borrel is in de kantine.\n")
    assert "De borrel is in de kantine." in doc.text


def test_a_capitalised_title_titles_the_page_and_switches_stay_out_of_list_items(tmp_path):
    doc = _load(tmp_path, "bestuur.md", "---\nTitle: Het bestuur\nleden:\n  - naam: Jan de Vries\n"
                                        "    actief: true\n    functie: penningmeester van de club\n---\n")
    assert doc.title == "Het bestuur"
    assert "- Jan de Vries — penningmeester van de club" in doc.text.splitlines() and "True" not in doc.text
