"""Text-based formats -> Markdown-style text: RTF through striprtf, e-mail (.eml) through the
standard library's `email` package, CSV through the standard `csv` module.

E-mail keeps its subject as the `#` title and a short Van/Aan/Datum header; attachments are named,
not read. CSV rows are rendered like spreadsheet rows (``kolom: waarde; …`` after a header row).
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import logging
from email.message import EmailMessage

from knowledge.errors import DocumentError
from knowledge.formats.pdf import html_to_markdown
from knowledge.formats.office import rows_to_lines

log = logging.getLogger(__name__)


# --- RTF -------------------------------------------------------------------------------------------

def rtf_to_text(data: bytes) -> str:
    """The text of an RTF file (its own escapes carry the code page; bare bytes are Windows-1252)."""
    from striprtf.striprtf import rtf_to_text as strip

    source = data.decode("cp1252", errors="replace")
    if not source.lstrip().startswith("{\\rtf"):
        raise DocumentError("het RTF-bestand is beschadigd of onleesbaar (geen RTF-kop)")
    return strip(source, errors="replace")


# --- e-mail ----------------------------------------------------------------------------------------

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


# --- CSV -------------------------------------------------------------------------------------------

_DELIMITERS = ";,\t|"


def csv_to_markdown(text: str) -> str:
    """Rows as lines, `kolom: waarde` pairs after a header row; the delimiter is sniffed (Dutch
    exports use `;`)."""
    try:
        rows = list(csv.reader(io.StringIO(text), **_dialect(text[:20_000])))
    except csv.Error as exc:
        raise DocumentError(f"het CSV-bestand is beschadigd of onleesbaar ({exc})") from exc
    return "\n".join(rows_to_lines(rows))


def _dialect(sample: str) -> dict:
    try:
        return {"dialect": csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)}
    except csv.Error:  # one column, or too irregular to tell: the candidate the first line has most of
        first_line = sample.split("\n", 1)[0]
        return {"delimiter": max(_DELIMITERS, key=first_line.count)}
