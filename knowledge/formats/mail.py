"""E-mail (.eml) -> Markdown-style text, through the standard library's `email` package: the subject
as the `#` title, a short Van/Aan/Datum header, the body (HTML as text); attachments are named, not read.
"""

from __future__ import annotations

import email
import email.policy
import logging
from email.message import EmailMessage

from knowledge.errors import DocumentError
from knowledge.formats.web import html_to_markdown

log = logging.getLogger(__name__)

_HEADERS = (("From", "Van"), ("To", "Aan"), ("Cc", "Cc"), ("Date", "Datum"))


def email_to_markdown(data: bytes) -> str:
    """Subject as title, sender/recipients/date, the text body (or the HTML body as text), and
    the names of the attachments."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise DocumentError("het e-mailbericht is beschadigd of onleesbaar (geen kopregels)")
    parts: list[str] = []
    subject = " ".join(str(message.get("Subject", "")).split())
    if subject:
        parts.append(f"# {subject}")
    header = [f"{label}: {message[name]}" for name, label in _HEADERS if message.get(name)]
    if header:
        parts.append("\n".join(header))
    parts.append(_email_body(message))
    names = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    if names:
        parts.append("Bijlagen (niet gelezen): " + ", ".join(names))
    return "\n\n".join(p for p in parts if p.strip())


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
