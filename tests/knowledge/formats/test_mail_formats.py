"""Outlook .msg read like .eml, on messages written by msgforge (MS-OXMSG, as Outlook saves them)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from knowledge.errors import DocumentError
from knowledge.loaders import load_document


def make_msg(path: Path, **fields) -> Path:
    from msgforge import Message

    attachments = fields.pop("attachments", [])
    message = Message(**fields)
    for name in attachments:
        attachment = path.parent / name
        attachment.write_text("inhoud van de bijlage", encoding="utf-8")
        message.attach(str(attachment))
        attachment.unlink()
    message.save(str(path))
    return path


def _load(path: Path):
    return load_document(path, path.parent, collection="c")


def test_msg_subject_header_body_and_attachment_names_as_for_eml(tmp_path):
    path = make_msg(tmp_path / "parkeren.msg", subject="Parkeren tijdens de verbouwing",
                    text_body="Beste collega's,\n\nVanaf maandag parkeer je op P3 aan de Kanaalweg.",
                    sender=("facilitair@polderlicht.nl", "Facilitair"),
                    to=[("iedereen@polderlicht.nl", "Iedereen")], sent=datetime(2025, 3, 3, 9, 30),
                    attachments=["plattegrond.pdf"])
    doc = _load(path)
    assert doc.title == "Parkeren tijdens de verbouwing"
    assert "Van: " in doc.text and "facilitair@polderlicht.nl" in doc.text
    assert "Aan: Iedereen <iedereen@polderlicht.nl>" in doc.text
    assert "Datum: 03-03-2025" in doc.text
    assert "Vanaf maandag parkeer je op P3 aan de Kanaalweg." in doc.text
    assert doc.text.rstrip().endswith("Bijlagen (niet gelezen): plattegrond.pdf")


def test_msg_with_only_html_is_read_as_text(tmp_path):
    path = make_msg(tmp_path / "lift.msg", subject="Storing", html_body="<p>De <b>lift</b> is tot vrijdag kapot.</p>",
                    to=[("iedereen@polderlicht.nl", "Iedereen")])
    text = _load(path).text
    assert "De lift is tot vrijdag kapot." in text and "<b>" not in text


@pytest.mark.parametrize("content", [b"", b"geen outlookbericht", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600])
def test_a_damaged_msg_raises_a_dutch_reason(tmp_path, content):
    path = tmp_path / "kapot.msg"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match="Outlook-bericht is beschadigd|geen tekst"):
        _load(path)
