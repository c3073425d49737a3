"""File formats -> Markdown-style text with `#` headings, one module per family of formats; this
package picks the reader by the file's suffix (`to_markdown`), after the file limits of zip-based and
PDF files are checked."""

from __future__ import annotations

import io
from typing import Callable

from knowledge.errors import DocumentError
from knowledge.file_limits import ZIP_SUFFIXES, FileLimits, check_pdf_pages, check_zip
from knowledge.formats.mail import email_to_markdown
from knowledge.formats.markdown import markdown_to_markdown
from knowledge.formats.office import docx_to_markdown, opendocument_to_markdown, pptx_to_markdown, xlsx_to_markdown
from knowledge.formats.pdf import pdf_to_markdown
from knowledge.formats.text import csv_to_markdown, decode_text, plain_text_to_markdown, rtf_to_text
from knowledge.formats.web import html_to_markdown

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
NO_EXTENSION = "(zonder extensie)"

def _read_markdown(data: bytes) -> str:
    return markdown_to_markdown(decode_text(data))


def _read_text(data: bytes) -> str:
    return plain_text_to_markdown(decode_text(data))


_READERS: dict[str, Callable[[bytes], str]] = {
    **{suffix: _read_markdown for suffix in MARKDOWN_SUFFIXES},
    ".txt": _read_text,
    ".pdf": lambda data: pdf_to_markdown(io.BytesIO(data)),
    ".docx": lambda data: docx_to_markdown(io.BytesIO(data)),
    ".html": lambda data: html_to_markdown(decode_text(data)),
    ".htm": lambda data: html_to_markdown(decode_text(data)),
    ".odt": opendocument_to_markdown,
    ".ods": opendocument_to_markdown,
    ".odp": opendocument_to_markdown,
    ".pptx": pptx_to_markdown,
    ".xlsx": xlsx_to_markdown,
    ".rtf": lambda data: plain_text_to_markdown(rtf_to_text(data)),
    ".eml": email_to_markdown,
    ".csv": lambda data: csv_to_markdown(decode_text(data)),
}
SUPPORTED_SUFFIXES = frozenset(_READERS)


def to_markdown(suffix: str, data: bytes, limits: FileLimits) -> str:
    reader = _READERS.get(suffix)
    if reader is None:
        raise DocumentError(f"bestandstype {suffix or NO_EXTENSION} wordt niet ondersteund")
    if suffix in ZIP_SUFFIXES:
        check_zip(data, limits)
    if suffix == ".pdf":
        return pdf_to_markdown(io.BytesIO(data), check_pages=lambda pages: check_pdf_pages(pages, limits))
    return reader(data)
