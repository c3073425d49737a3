"""File formats -> Markdown-style text with `#` headings, one module per family of formats; this
package picks the reader by the file's suffix (`read_document`), after the file limits of zip-based
and PDF files are checked. (The libraries' warnings while a file is read: library_logs.py.)

Paged formats (PDF, slides) mark where each page or slide begins (pages.py). A reader that could
read only part of a file (scanned pages past the OCR time budget) says which part in `problems`, and
one whose format keeps a date in the file (office properties, PDF info, e-mail, front matter) gives it
as `written` (reading.py).
"""

from __future__ import annotations

import io
import logging
from typing import Callable

from knowledge.errors import DocumentError
from knowledge.file_limits import ZIP_SUFFIXES, FileLimits, check_pdf_pages, check_zip
from knowledge.formats.mail import email_to_markdown, outlook_to_markdown
from knowledge.formats.markdown import front_matter_date, markdown_to_markdown
from knowledge.formats.office import opendocument_to_markdown, pptx_to_markdown, xlsx_to_markdown
from knowledge.formats.pdf import pdf_to_markdown
from knowledge.formats.reading import Reading, written_on
from knowledge.formats.text import csv_to_markdown, decode_text, plain_text_to_markdown, rtf_to_text
from knowledge.formats.web import html_to_markdown
from knowledge.formats.word import doc_to_markdown, docx_to_markdown

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
NO_EXTENSION = "(zonder extensie)"


__all__ = ["MARKDOWN_SUFFIXES", "NO_EXTENSION", "SUPPORTED_SUFFIXES", "Reading", "read_document", "written_on"]


def _read_markdown(data: bytes) -> Reading:
    source = decode_text(data)
    return Reading(markdown_to_markdown(source), written=written_on(front_matter_date(source)))


def _text(read: Callable[[bytes], str]) -> Callable[[bytes], Reading]:
    """A reader of a format without metadata of its own."""
    return lambda data: Reading(read(data))


_READERS: dict[str, Callable[[bytes], Reading]] = {
    **{suffix: _read_markdown for suffix in MARKDOWN_SUFFIXES},
    ".txt": _text(lambda data: plain_text_to_markdown(decode_text(data))),
    ".docx": lambda data: docx_to_markdown(io.BytesIO(data)),
    ".doc": doc_to_markdown,
    ".html": _text(lambda data: html_to_markdown(decode_text(data))),
    ".htm": _text(lambda data: html_to_markdown(decode_text(data))),
    ".odt": opendocument_to_markdown,
    ".ods": opendocument_to_markdown,
    ".odp": opendocument_to_markdown,
    ".pptx": pptx_to_markdown,
    ".xlsx": xlsx_to_markdown,
    ".rtf": _text(lambda data: plain_text_to_markdown(rtf_to_text(data))),
    ".eml": email_to_markdown,
    ".msg": outlook_to_markdown,
    ".csv": _text(lambda data: csv_to_markdown(decode_text(data))),
}
SUPPORTED_SUFFIXES = frozenset({*_READERS, ".pdf"})


def read_document(suffix: str, data: bytes, limits: FileLimits) -> Reading:
    """The text of a file of type `suffix`."""
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"bestandstype {suffix or NO_EXTENSION} wordt niet ondersteund")
    if suffix in ZIP_SUFFIXES:
        check_zip(data, limits)
    try:
        if suffix == ".pdf":
            return pdf_to_markdown(io.BytesIO(data), limits=limits,
                                   check_pages=lambda pages: check_pdf_pages(pages, limits))
        return _READERS[suffix](data)
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # a fault in a reader or its library: this file is skipped, not the run
        log.error("reading a %s file failed", suffix, exc_info=True)
        raise DocumentError(f"het bestand kon niet worden gelezen (interne fout: {type(exc).__name__}); "
                            "de beheerder vindt de details in het log") from exc
