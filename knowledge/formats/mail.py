"""E-mail -> Markdown-style text: the subject as the `#` title, a short Van/Aan/Datum header, the body
(HTML as text); attachments are named, not read.

.eml through the standard library's `email` package; Outlook's .msg through python-oxmsg (MIT, by
Unstructured; extract-msg, the better known reader, is GPL-3.0, which this proprietary package
cannot take in).
"""

from __future__ import annotations

import email
import email.policy
import logging
import struct
from email.message import EmailMessage

from knowledge.errors import DocumentError
from knowledge.formats.reading import Reading, written_on
from knowledge.formats.web import html_to_markdown

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Outlook .msg is an OLE2 compound file
_HEADERS = (("From", "Van"), ("To", "Aan"), ("Cc", "Cc"), ("Date", "Datum"))


def email_to_markdown(data: bytes) -> Reading:
    """Subject as title, sender/recipients/date, the text body (or the HTML body as text), and
    the names of the attachments; written: the Date header's day."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise DocumentError("het e-mailbericht is beschadigd of onleesbaar (geen kopregels)")
    header = {name: str(message[name]) for name, _ in _HEADERS if message.get(name)}
    names = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    sent = getattr(message.get("Date"), "datetime", None)  # None when the header is missing or unparsable
    return Reading(_mail_text(str(message.get("Subject", "")), header, _email_body(message), names),
                   written=written_on(sent))


def _mail_text(subject: str, header: dict[str, str], body: str, attachments: list[str]) -> str:
    """One shape for every kind of e-mail: title, header lines, body, attachment names."""
    parts: list[str] = []
    subject = " ".join(subject.split())
    if subject:
        parts.append(f"# {subject}")
    lines = [f"{label}: {header[name]}" for name, label in _HEADERS if header.get(name)]
    if lines:
        parts.append("\n".join(lines))
    parts.append(body)
    if attachments:
        parts.append("Bijlagen (niet gelezen): " + ", ".join(attachments))
    return "\n\n".join(p for p in parts if p.strip())


def outlook_to_markdown(data: bytes) -> Reading:
    """An Outlook .msg: as an .eml, from its MAPI properties (and its transport headers, when the
    message was received rather than saved as a draft); written: the day it was sent."""
    from oxmsg import Message

    if not data.startswith(OLE_MAGIC):
        raise DocumentError("het Outlook-bericht is beschadigd of onleesbaar (geen .msg-bestand)")
    try:
        message = Message.load(data)
        headers = message.message_headers
        header = {name: headers.get(name) or headers.get(name.lower()) or "" for name, _ in _HEADERS}
        header["From"] = header["From"] or message.sender or ""
        header["To"] = header["To"] or ", ".join(_recipient(r) for r in message.recipients)
        if not header["Date"] and message.sent_date is not None:
            header["Date"] = message.sent_date.strftime("%d-%m-%Y %H:%M")
        html = message.html_body
        body = html_to_markdown(html) if html and not message.body else (message.body or "")
        names = [a.file_name or a.mime_type or "bijlage" for a in message.attachments]
        subject = message.subject
        written = written_on(message.sent_date)
    except (ValueError, KeyError, OSError, struct.error, UnicodeDecodeError, LookupError) as exc:
        log.debug("msg unreadable", exc_info=True)
        raise DocumentError(f"het Outlook-bericht is beschadigd of onleesbaar ({type(exc).__name__})") from exc
    return Reading(_mail_text(subject, header, body, names), written=written)


def _recipient(recipient) -> str:
    name, address = recipient.name, recipient.email_address
    return f"{name} <{address}>" if name and address and name != address else (name or address)


def _email_body(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except LookupError:  # a charset Python does not know: read it as well as we can
        log.debug("unknown e-mail charset %s", body.get_content_charset())
        content = _decode_unknown(body.get_payload(decode=True) or b"")
    if body.get_content_type() == "text/html":
        return html_to_markdown(content)
    return content


def _decode_unknown(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")
