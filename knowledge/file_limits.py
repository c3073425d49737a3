"""Bounds on what one source file may cost to read: its size on disk, the unpacked size of a
zip-based office file (DOCX, XLSX, PPTX, ODT/ODS/ODP), the pages of a PDF and the seconds of OCR
its scanned pages may take.

Every check runs before the file's content is parsed, on numbers the file declares (its size, the
uncompressed sizes in the zip's central directory, the PDF's page count), so a hostile file costs
at most those reads. Python's zipfile never inflates a member past the size the directory declares,
so checking the declared sizes bounds what the office readers can unpack.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import DocumentError

MB = 1024 * 1024
ZIP_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"})


@dataclass(frozen=True)
class FileLimits:
    """The most one file may be; 0 switches a bound off."""

    max_file_bytes: int = 50 * MB
    max_unpacked_bytes: int = 300 * MB
    max_pdf_pages: int = 2000
    ocr_seconds: float = 120.0  # scanned pages read by OCR per file; the rest is reported unread


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} bytes"


def check_file_size(size: int, limits: FileLimits) -> None:
    """Raises DocumentError when a file is larger than the limit."""
    if limits.max_file_bytes and size > limits.max_file_bytes:
        raise DocumentError(f"het bestand is te groot ({_mb(size)}; de grens is {_mb(limits.max_file_bytes)}, "
                            "instelling max_file_mb)")


def read_bounded(path: Path, limits: FileLimits) -> bytes:
    """The file's bytes, read only when it is a regular file within the size limit; never more
    than the limit is read, even when the file grows meanwhile. A symbolic link is not followed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise DocumentError(f"kan het bestand niet lezen ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError("het is geen gewoon bestand")
        check_file_size(info.st_size, limits)
        cap = limits.max_file_bytes or -1
        data = file.read(cap + 1 if cap > 0 else -1)
    check_file_size(len(data), limits)
    return data


def check_zip(data: bytes, limits: FileLimits) -> None:
    """Raises DocumentError when a zip-based file would unpack to more than the limit. A file that
    is no zip at all passes: its format's reader says, in its own words, that it is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return
    if limits.max_unpacked_bytes and unpacked > limits.max_unpacked_bytes:
        raise DocumentError(f"het bestand pakt uit tot {_mb(unpacked)} (de grens is "
                            f"{_mb(limits.max_unpacked_bytes)}, instelling max_unpacked_mb): "
                            "mogelijk een zip-bom")


def check_pdf_pages(pages: int, limits: FileLimits) -> None:
    """Raises DocumentError when a PDF has more pages than the limit."""
    if limits.max_pdf_pages and pages > limits.max_pdf_pages:
        raise DocumentError(f"de PDF heeft {pages} pagina's (de grens is {limits.max_pdf_pages}, "
                            "instelling max_pdf_pages)")
